package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ChannelOpenException;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.RemoteBindException;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshdTransportTest {

    private static final int TWO_MIB = 2 * 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static OpenSshServer sshd;
    static EchoServer echo;

    final SshTransport transport = new SshdTransport();

    @BeforeAll
    static void startServers() {
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        echo = EchoServer.start();
    }

    @AfterAll
    static void stopServers() {
        if (echo != null) {
            echo.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void isFoundByServiceLoaderWithIdSshd() {
        getClass().getModule().addUses(SshTransport.class);
        List<String> ids = ServiceLoader.load(SshTransport.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.contains("sshd"), "found " + ids);
        assertTrue(transport.description().startsWith("Apache MINA SSHD 2."), transport.description());
    }

    @Test
    void connectsAndCloses() throws Exception {
        SshConnection connection = transport.connect(settings(sshd));
        assertTrue(connection.isOpen());
        assertEquals(sshd.endpoint(), connection.server());
        connection.close();
        assertFalse(connection.isOpen());
        connection.close();
        assertThrows(IOException.class, () -> connection.openChannel(echo.endpoint(), localOriginator()));
    }

    @Test
    void throwsTheVerifiersExceptionForAWrongHostKey() {
        TransportException refused = new TransportException(Reason.HOST_KEY_CHANGED, "host key changed for test");
        HostKeyVerifier verifier = (server, key) -> {
            throw refused;
        };
        TransportException thrown = assertThrows(TransportException.class,
                () -> transport.connect(settings(sshd, verifier, List.of(sshd.userKey()))));
        assertSame(refused, thrown);
    }

    @Test
    void failsWithAuthFailedForAnUnknownUserKey() throws Exception {
        Path otherKey = newKey("other_ed25519", "");

        TransportException thrown = assertThrows(TransportException.class,
                () -> transport.connect(settings(sshd, knows(sshd.hostKey()), List.of(otherKey))));
        assertEquals(Reason.AUTH_FAILED, thrown.reason(), thrown.getMessage());
        assertTrue(thrown.getMessage().contains(otherKey.toString()), thrown.getMessage());
        assertTrue(thrown.getMessage().startsWith("Permission denied for " + sshd.user() + "@" + sshd.endpoint()),
                thrown.getMessage());
    }

    @Test
    void failsWithUnreachableForAClosedPort() throws Exception {
        Endpoint closed = new Endpoint("127.0.0.1", closedPort());
        ConnectionSettings settings = new ConnectionSettings(closed, sshd.user(), List.of(sshd.userKey()),
                knows(sshd.hostKey()), CredentialPrompt.NONE, Duration.ZERO, 3, Duration.ofSeconds(10));
        TransportException thrown = assertThrows(TransportException.class, () -> transport.connect(settings));
        assertEquals(Reason.UNREACHABLE, thrown.reason(), thrown.getMessage());
        assertEquals("Cannot connect to " + closed + ": connection refused. Is sshd running there, and is the port"
                + " right (-p)?", thrown.getMessage());
    }

    @Test
    void echoesTwoMibThroughADirectChannelAndEndsAfterEof() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            SshChannel channel = connection.openChannel(echo.endpoint(), localOriginator());
            try (channel) {
                byte[] data = randomBytes(TWO_MIB, 1);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        for (int off = 0; off < data.length; off += 50_000) {
                            channel.write(data, off, Math.min(50_000, data.length - off));
                        }
                        channel.sendEof();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, runnable -> Thread.ofVirtual().start(runnable));
                byte[] echoed = readToEnd(channel);
                writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(data.length, echoed.length);
                assertArrayEquals(sha256(data), sha256(echoed));
            }
        }
    }

    @Test
    void roundTripsOneByte() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd));
                SshChannel channel = connection.openChannel(echo.endpoint(), localOriginator())) {
            channel.write(new byte[] {42}, 0, 1);
            byte[] one = new byte[1];
            assertEquals(1, channel.read(one, 0, 1));
            assertEquals(42, one[0]);
            channel.sendEof();
            assertEquals(-1, channel.read(one, 0, 1));
            assertThrows(IOException.class, () -> channel.write(new byte[] {1}, 0, 1));
        }
    }

    @Test
    void reportsARefusedDestination() throws Exception {
        Endpoint nothing = new Endpoint("127.0.0.1", closedPort());
        try (SshConnection connection = transport.connect(settings(sshd))) {
            ChannelOpenException thrown = assertThrows(ChannelOpenException.class,
                    () -> connection.openChannel(nothing, localOriginator()));
            assertEquals(ChannelOpenException.Reason.REFUSED, thrown.reason(), thrown.getMessage());
            assertTrue(connection.isOpen(), "a refused channel leaves the connection up");
        }
    }

    /**
     * 255.255.255.255 fails in sshd's own connect() with ENETUNREACH, but OpenSSH (9.2) puts the
     * errno only in its log: when connect() fails at once it answers code 2 with the text "open
     * failed" (the strerror text only comes with a failure seen later, as "Connection refused" on
     * a non-blocking connect). So the honest classification of that answer is CONNECT_FAILED.
     */
    @Test
    void reportsAnUnreachableNetworkAsOpenSshDescribesIt() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            Endpoint broadcast = new Endpoint("255.255.255.255", 80);
            ChannelOpenException thrown = assertThrows(ChannelOpenException.class,
                    () -> connection.openChannel(broadcast, localOriginator()));
            assertEquals(ChannelOpenException.Reason.CONNECT_FAILED, thrown.reason(), thrown.getMessage());
            assertEquals("open failed", thrown.serverMessage());
            assertEquals(ChannelOpenException.classify(2, "open failed"), thrown.reason());
            assertTrue(connection.isOpen());
        }
    }

    @Test
    void listensOnAServerPortAndHalfClosesBothWays() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            CompletableFuture<Endpoint> originator = new CompletableFuture<>();
            RemoteListen listen = connection.listen(new Endpoint("localhost", 0), (channel, from) -> {
                originator.complete(from);
                try (channel) {
                    byte[] buffer = new byte[32 * 1024];
                    for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
                        channel.write(buffer, 0, n);
                    }
                    channel.sendEof();
                } catch (IOException e) {
                    originator.completeExceptionally(e);
                }
            });
            int port = listen.bound().port();
            assertTrue(port > 0, "bound " + listen.bound());
            assertEquals("localhost", listen.bound().host());

            byte[] data = randomBytes(TWO_MIB, 2);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setTcpNoDelay(true);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(data);
                        out.flush();
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, runnable -> Thread.ofVirtual().start(runnable));
                byte[] echoed = socket.getInputStream().readAllBytes();
                writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(data.length, echoed.length);
                assertArrayEquals(sha256(data), sha256(echoed));
            }
            assertEquals("127.0.0.1", originator.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).host());

            listen.close();
            listen.close();
            awaitCondition("port " + port + " refuses connections after the listen is closed",
                    () -> refuses(port));
            assertTrue(connection.isOpen());
        }
    }

    @Test
    void handsEachIncomingChannelToTheHandlerOfItsListen() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd));
                RemoteListen first = connection.listen(new Endpoint("127.0.0.1", 0), answering('1'));
                RemoteListen second = connection.listen(new Endpoint("localhost", 0), answering('2'))) {
            assertFalse(first.bound().port() == second.bound().port());
            assertEquals('2', firstByteFrom(second.bound().port()));
            assertEquals('1', firstByteFrom(first.bound().port()));
            assertEquals('2', firstByteFrom(second.bound().port()));
        }
    }

    private static caret.spi.ChannelHandler answering(char id) {
        return (channel, from) -> {
            try (channel) {
                channel.write(new byte[] {(byte) id}, 0, 1);
                channel.sendEof();
                readToEnd(channel);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }

    private static int firstByteFrom(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.shutdownOutput();
            byte[] all = socket.getInputStream().readAllBytes();
            assertEquals(1, all.length);
            return all[0];
        }
    }

    @Test
    void throwsRemoteBindExceptionWhenTheServerForbidsThePort() throws Exception {
        try (OpenSshServer strict = OpenSshServer.start(dir.resolve("strict"), "PermitListen 127.0.0.1:1");
                SshConnection connection = transport.connect(settings(strict))) {
            Endpoint bind = new Endpoint("127.0.0.1", closedPort());
            RemoteBindException thrown = assertThrows(RemoteBindException.class,
                    () -> connection.listen(bind, (channel, from) -> channel.close()));
            assertEquals(bind, thrown.bind());
            assertTrue(connection.isOpen());
        }
    }

    @Test
    void reportsADropWhenTheServerIsKilled() throws Exception {
        OpenSshServer doomed = OpenSshServer.start(dir.resolve("doomed"));
        try (doomed; SshConnection connection = transport.connect(settings(doomed))) {
            CompletableFuture<IOException> dropped = new CompletableFuture<>();
            connection.onDrop(dropped::complete);
            doomed.kill();
            IOException why = dropped.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(why.getMessage().startsWith("Connection to " + doomed.endpoint() + " lost: "), why.getMessage());
            assertFalse(connection.isOpen());
            CompletableFuture<IOException> late = new CompletableFuture<>();
            connection.onDrop(late::complete);
            assertSame(why, late.getNow(null), "a listener added after the drop is called at once");
        }
    }

    @Test
    void givesUpAfterUnansweredKeepalives() throws Exception {
        OpenSshServer hung = OpenSshServer.start(dir.resolve("hung"));
        ConnectionSettings settings = new ConnectionSettings(hung.endpoint(), hung.user(), List.of(hung.userKey()),
                knows(hung.hostKey()), CredentialPrompt.NONE, Duration.ofSeconds(1), 2, Duration.ofSeconds(10));
        try (hung; SshConnection connection = transport.connect(settings)) {
            CompletableFuture<IOException> dropped = new CompletableFuture<>();
            connection.onDrop(dropped::complete);
            assertTrue(hung.freezeConnections() > 0);
            IOException why = dropped.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals("Connection to " + hung.endpoint() + " lost: the server did not answer 2 keepalive probes,"
                    + " one every 1 s; the network or the server is down", why.getMessage());
        }
    }

    @Test
    void asksForThePassphraseOfAnEncryptedKey() throws Exception {
        Path encrypted = newKey("encrypted_ed25519", "correct horse");
        sshd.authorize(encrypted.resolveSibling("encrypted_ed25519.pub"));
        List<Path> asked = new CopyOnWriteArrayList<>();
        CredentialPrompt prompt = new CredentialPrompt() {
            @Override
            public Optional<char[]> passphrase(Path keyFile) {
                asked.add(keyFile);
                return Optional.of("correct horse".toCharArray());
            }

            @Override
            public Optional<char[]> password(String user, Endpoint server) {
                return Optional.empty();
            }
        };
        ConnectionSettings settings = new ConnectionSettings(sshd.endpoint(), sshd.user(), List.of(encrypted),
                knows(sshd.hostKey()), prompt, Duration.ZERO, 3, Duration.ofSeconds(10));
        try (SshConnection connection = transport.connect(settings)) {
            assertTrue(connection.isOpen());
        }
        assertEquals(List.of(encrypted), asked);

        ConnectionSettings batch = new ConnectionSettings(sshd.endpoint(), sshd.user(), List.of(encrypted),
                knows(sshd.hostKey()), CredentialPrompt.NONE, Duration.ZERO, 3, Duration.ofSeconds(10));
        TransportException thrown = assertThrows(TransportException.class, () -> transport.connect(batch));
        assertEquals(Reason.AUTH_FAILED, thrown.reason(), thrown.getMessage());
        assertTrue(thrown.getMessage().contains(encrypted + " was not offered"), thrown.getMessage());
    }

    @Test
    void closeWakesABlockedReaderAndABlockedWriter() throws Exception {
        try (ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                SshConnection connection = transport.connect(settings(sshd))) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return sink.accept(); // accepts and never reads
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, runnable -> Thread.ofVirtual().start(runnable));
            SshChannel reading = connection.openChannel(echo.endpoint(), localOriginator());
            SshChannel writing = connection.openChannel(new Endpoint("127.0.0.1", sink.getLocalPort()),
                    localOriginator());
            try (Socket unused = accepted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                CompletableFuture<Throwable> readerEnd = new CompletableFuture<>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        reading.read(new byte[10], 0, 10);
                        readerEnd.complete(null);
                    } catch (Throwable t) {
                        readerEnd.complete(t);
                    }
                });
                CompletableFuture<Throwable> writerEnd = new CompletableFuture<>();
                Thread writer = Thread.ofVirtual().start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        while (true) {
                            writing.write(chunk, 0, chunk.length);
                        }
                    } catch (Throwable t) {
                        writerEnd.complete(t);
                    }
                });
                awaitCondition("the reader blocks", () -> isBlocked(reader));
                awaitCondition("the writer blocks on the full window", () -> isBlocked(writer));

                reading.close();
                writing.close();
                assertTrue(readerEnd.get(DEADLINE.toSeconds(), TimeUnit.SECONDS) instanceof IOException);
                assertTrue(writerEnd.get(DEADLINE.toSeconds(), TimeUnit.SECONDS) instanceof IOException);
                assertTrue(connection.isOpen());
            }
        }
    }

    @Test
    void leavesNoThreadBehindOnceEveryConnectionIsClosed() throws Exception {
        SshTransport own = new SshdTransport();
        for (int i = 0; i < 3; i++) {
            try (SshConnection connection = own.connect(settings(sshd))) {
                assertTrue(connection.isOpen());
                assertTrue(minaThreads() > 0, "MINA's client threads run while connected");
            }
        }
        awaitCondition("MINA client threads end", () -> minaThreads() == 0);
    }

    // --- helpers

    private static long minaThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("sshd-SshClient"))
                .count();
    }

    private static boolean isBlocked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static Path newKey(String name, String passphrase) throws Exception {
        Path key = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", key.toString())
                .redirectErrorStream(true).start();
        keygen.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertEquals(0, keygen.waitFor());
        return key;
    }

    private static ConnectionSettings settings(OpenSshServer server) {
        return settings(server, knows(server.hostKey()), List.of(server.userKey()));
    }

    private static ConnectionSettings settings(OpenSshServer server, HostKeyVerifier verifier, List<Path> keys) {
        return new ConnectionSettings(server.endpoint(), server.user(), keys, verifier, CredentialPrompt.NONE,
                Duration.ZERO, 3, Duration.ofSeconds(10));
    }

    /** Accepts exactly {@code expected}: so every connect also checks the host key blob MINA gives. */
    private static HostKeyVerifier knows(HostKey expected) {
        return (server, key) -> {
            if (!expected.equals(key)) {
                throw new TransportException(Reason.HOST_KEY_CHANGED, "expected " + expected.openSshText()
                        + " for " + server + " but got " + key.openSshText());
            }
        };
    }

    private static Endpoint localOriginator() {
        return new Endpoint("127.0.0.1", 40000);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] readToEnd(SshChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Object monitor = new Object();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            synchronized (monitor) {
                monitor.wait(20); // poll interval, not a fixed delay: the loop ends as soon as the condition holds
            }
        }
    }
}
