package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ChannelHandler;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.AbstractChannel;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.core.CoreModuleProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** The fixes of the transport review, each against a real OpenSSH sshd on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshdTransportFixesTest {

    private static final Duration SHORT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SLOW_HUMAN = Duration.ofSeconds(3);
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static OpenSshServer sshd;

    final SshTransport transport = new SshdTransport();

    @BeforeAll
    static void startServer() {
        sshd = OpenSshServer.start(dir.resolve("sshd"));
    }

    @AfterAll
    static void stopServer() {
        if (sshd != null) {
            sshd.close();
        }
    }

    // --- 1. host key algorithm order

    @Test
    void offersTheKnownHostKeyTypeFirstWhenTheServerHasSeveral() throws Exception {
        Path ecdsa = newKey("ssh_host_ecdsa_key", "ecdsa", "");
        try (OpenSshServer twoKeys = OpenSshServer.start(dir.resolve("two-keys"), "HostKey " + ecdsa)) {
            List<HostKey> seen = new CopyOnWriteArrayList<>();
            HostKeyVerifier knowsOnlyEd25519 = new HostKeyVerifier() {
                @Override
                public void verify(Endpoint server, HostKey key) throws TransportException {
                    seen.add(key);
                    trustExactly(twoKeys.hostKey(), server, key);
                }

                @Override
                public List<String> knownKeyTypes(Endpoint server) {
                    return List.of(twoKeys.hostKey().type());
                }
            };
            try (SshConnection connection = transport.connect(settings(twoKeys, knowsOnlyEd25519, List.of(twoKeys.userKey()),
                    CredentialPrompt.NONE, Duration.ofSeconds(10)))) {
                assertTrue(connection.isOpen());
            }
            assertEquals("ssh-ed25519", twoKeys.hostKey().type());
            assertEquals(List.of(twoKeys.hostKey()), seen);
        }
    }

    @Test
    void ordersHostKeyAlgorithmsByKeyTypeAsOpenSshDoes() {
        assertEquals("ssh-rsa", HostKeyOrder.keyType("rsa-sha2-512"));
        assertEquals("ssh-rsa", HostKeyOrder.keyType("rsa-sha2-256-cert-v01@openssh.com"));
        assertEquals("ssh-rsa", HostKeyOrder.keyType("ssh-rsa"));
        assertEquals("ssh-ed25519", HostKeyOrder.keyType("ssh-ed25519-cert-v01@openssh.com"));
        assertEquals("ecdsa-sha2-nistp384", HostKeyOrder.keyType("ecdsa-sha2-nistp384"));
        assertEquals("sk-ssh-ed25519@openssh.com", HostKeyOrder.keyType("sk-ssh-ed25519-cert-v01@openssh.com"));
    }

    // --- 2. the connect timeout does not time the user

    @Test
    void aHostKeyQuestionSlowerThanTheConnectTimeoutIsNoTimeout() throws Exception {
        HostKeyVerifier slowHuman = new HostKeyVerifier() {
            @Override
            public void verify(Endpoint server, HostKey key) throws TransportException {
                takeTime(SLOW_HUMAN);
                trustExactly(sshd.hostKey(), server, key);
            }
        };
        try (SshConnection connection = transport.connect(settings(sshd, slowHuman, List.of(sshd.userKey()),
                CredentialPrompt.NONE, SHORT_CONNECT_TIMEOUT))) {
            assertTrue(connection.isOpen());
        }
    }

    @Test
    void aPassphrasePromptSlowerThanTheConnectTimeoutIsNoTimeout() throws Exception {
        Path encrypted = newKey("slow_ed25519", "ed25519", "secret");
        sshd.authorize(pub(encrypted));
        List<Path> asked = new CopyOnWriteArrayList<>();
        CredentialPrompt slowHuman = new CredentialPrompt() {
            @Override
            public Optional<char[]> passphrase(Path keyFile) {
                asked.add(keyFile);
                takeTime(SLOW_HUMAN);
                return Optional.of("secret".toCharArray());
            }

            @Override
            public Optional<char[]> password(String user, Endpoint server) {
                return Optional.empty();
            }
        };
        try (SshConnection connection = transport.connect(settings(sshd, knows(sshd.hostKey()), List.of(encrypted),
                slowHuman, SHORT_CONNECT_TIMEOUT))) {
            assertTrue(connection.isOpen());
        }
        assertEquals(List.of(encrypted), asked);
    }

    // --- 3. closing does not wait for a hung server

    @Test
    void closingListensAndTheConnectionReturnsPromptlyWhenTheServerHangs() throws Exception {
        try (OpenSshServer hung = OpenSshServer.start(dir.resolve("hung")); EchoServer echo = EchoServer.start()) {
            SshConnection connection = transport.connect(settings(hung));
            try {
                List<RemoteListen> listens = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    listens.add(connection.listen(new Endpoint("127.0.0.1", 0), (channel, from) -> channel.close()));
                }
                SshChannel open = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000));
                open.write(new byte[] {1}, 0, 1);
                assertEquals(1, open.read(new byte[1], 0, 1));
                assertTrue(hung.freezeConnections() > 0);
                Thread writer = Thread.ofVirtual().start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        while (true) {
                            open.write(chunk, 0, chunk.length);
                        }
                    } catch (IOException expected) {
                        // The connection was closed under the writer.
                    }
                });
                awaitCondition("the writer blocks on the hung server", () -> isWaiting(writer));
                for (RemoteListen listen : listens) {
                    assertPrompt("RemoteListen.close() of " + listen.bound(), listen::close);
                }
                assertPrompt("SshConnection.close()", connection::close);
                assertFalse(connection.isOpen());
                writer.join(DEADLINE.toMillis());
                assertFalse(writer.isAlive(), "closing the connection wakes the blocked writer");
            } finally {
                connection.close();
            }
        }
    }

    // --- 4. a listen on port 0 takes its very first connection

    /**
     * The first connection to a port-0 listen may reach the client right after the server's reply,
     * before the thread that called {@code listen} has run again. To make that happen every time,
     * the caller is a virtual thread, and once it waits for the reply every carrier thread is kept
     * busy until MINA has decided on the racer's channel: a racer that watches sshd's listening
     * sockets in /proc connects to the new port the moment it appears. Only sockets of this test's
     * sshd processes are connected to.
     */
    @Test
    void aListenOnPortZeroTakesAConnectionThatArrivesBeforeListenReturns() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            ClientSession session = ((SshdConnection) connection).session();
            for (int round = 0; round < 5; round++) {
                Set<String> before = new HashSet<>();
                listeningSockets().forEach(socket -> before.add(socket[1]));
                CompletableFuture<Void> decided = new CompletableFuture<>();
                ChannelListener onForwarded = new ChannelListener() {
                    @Override
                    public void channelOpenSuccess(Channel channel) {
                        decided.complete(null);
                    }

                    @Override
                    public void channelClosed(Channel channel, Throwable reason) {
                        decided.complete(null); // refused: ForwardedChannel closes it at once
                    }
                };
                session.addChannelListener(onForwarded);
                CompletableFuture<Integer> racerPort = new CompletableFuture<>();
                CompletableFuture<byte[]> racerGot = new CompletableFuture<>();
                Thread racer = Thread.ofPlatform().name("racer").start(() -> race(before, racerPort, racerGot));
                CompletableFuture<RemoteListen> listening = new CompletableFuture<>();
                Thread caller = Thread.ofVirtual().name("listen-caller").start(() -> {
                    try {
                        listening.complete(connection.listen(new Endpoint("127.0.0.1", 0), answering("ok")));
                    } catch (IOException | RuntimeException e) {
                        listening.completeExceptionally(e);
                    }
                });
                try {
                    awaitCondition("the caller of listen waits for the reply", () -> isWaiting(caller) || listening.isDone());
                    try (CarrierHog hog = new CarrierHog()) {
                        decided.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    }
                    try (RemoteListen listen = listening.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                        assertEquals(listen.bound().port(), racerPort.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                        assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII),
                                racerGot.get(DEADLINE.toSeconds(), TimeUnit.SECONDS),
                                "round " + round + ": the first connection to " + listen.bound() + " got no data");
                    }
                } finally {
                    session.removeChannelListener(onForwarded);
                    racer.interrupt();
                    racer.join(DEADLINE.toMillis());
                }
            }
        }
    }

    @Test
    void manyListensOnPortZeroEachTakeTheirFirstConnection() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            for (int round = 0; round < 50; round++) {
                try (RemoteListen listen = connection.listen(new Endpoint("127.0.0.1", 0), answering("ok" + round));
                        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listen.bound().port())) {
                    socket.shutdownOutput();
                    assertEquals("ok" + round, new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /**
     * Keeps every carrier thread of the virtual thread scheduler busy until closed (at most
     * {@link #DEADLINE}), so that a virtual thread woken meanwhile does not run.
     */
    private static final class CarrierHog implements AutoCloseable {
        private final AtomicBoolean spinning = new AtomicBoolean(true);

        CarrierHog() {
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            long until = System.nanoTime() + DEADLINE.toNanos();
            for (int i = 0; i < carriers; i++) {
                Thread.ofVirtual().name("carrier-hog").start(() -> {
                    while (spinning.get() && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
            }
        }

        /** Lets the carriers go; the spinners end at their next look at the flag. */
        @Override
        public void close() {
            spinning.set(false);
        }
    }

    private static boolean isWaiting(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static void race(Set<String> before, CompletableFuture<Integer> port, CompletableFuture<byte[]> got) {
        try {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            int found = -1;
            Set<String> foreign = new HashSet<>();
            while (found < 0) {
                if (Thread.currentThread().isInterrupted() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("no new listening port of sshd appeared");
                }
                for (String[] socket : listeningSockets()) {
                    String inode = socket[1];
                    if (!before.contains(inode) && !foreign.contains(inode)) {
                        if (socketInodes(sshd).contains(inode)) {
                            found = Integer.parseInt(socket[0]);
                        } else {
                            foreign.add(inode); // another program's socket: never touched
                        }
                    }
                }
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), found)) {
                port.complete(found);
                socket.setSoTimeout((int) DEADLINE.toMillis());
                socket.shutdownOutput();
                got.complete(socket.getInputStream().readAllBytes());
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
            got.completeExceptionally(e);
        }
    }

    /** The inodes of the sockets the processes of {@code server} hold, from /proc (Linux). */
    private static Set<String> socketInodes(OpenSshServer server) {
        Set<String> inodes = new HashSet<>();
        List<ProcessHandle> processes = new ArrayList<>(ProcessHandle.of(server.pid()).stream().toList());
        ProcessHandle.of(server.pid()).ifPresent(p -> processes.addAll(p.descendants().toList()));
        for (ProcessHandle process : processes) {
            Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
            try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
                for (Path link : links) {
                    try {
                        String target = Files.readSymbolicLink(link).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException gone) {
                        // The descriptor was closed while listing: not a listening socket of interest.
                    }
                }
            } catch (IOException gone) {
                // The process ended while listing (a connection's short-lived child).
            }
        }
        return inodes;
    }

    /** Listening TCP sockets on IPv4 as {port, inode}, from /proc/net/tcp (Linux). */
    private static List<String[]> listeningSockets() throws IOException {
        List<String[]> sockets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[3].equals("0A")) {
                sockets.add(new String[] {Integer.toString(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16)), f[9]});
            }
        }
        return sockets;
    }

    private static ChannelHandler answering(String text) {
        return (channel, from) -> {
            try (channel) {
                byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                channel.write(bytes, 0, bytes.length);
                channel.sendEof();
                byte[] buffer = new byte[1024];
                while (channel.read(buffer, 0, buffer.length) >= 0) {
                    // drain until the peer's EOF
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static void assertPrompt(String what, Runnable action) {
        long start = System.nanoTime();
        assertTimeoutPreemptively(PROMPT, action::run, what + " blocked");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(PROMPT) < 0, what + " took " + took.toMillis() + " ms");
    }

    // --- 5. only a refusal of every method is AUTH_FAILED

    @Test
    void aWrongKeyIsStillAuthFailed() throws Exception {
        Path stranger = newKey("stranger_ed25519", "ed25519", "");
        TransportException thrown = assertThrows(TransportException.class, () -> transport.connect(
                settings(sshd, knows(sshd.hostKey()), List.of(stranger), CredentialPrompt.NONE, Duration.ofSeconds(10))));
        assertEquals(Reason.AUTH_FAILED, thrown.reason(), thrown.getMessage());
        assertTrue(thrown.getMessage().startsWith("Permission denied for " + sshd.user() + "@" + sshd.endpoint()),
                thrown.getMessage());
    }

    @Test
    void aServerThatGoesAwayDuringAuthenticationIsNoAuthFailure() throws Exception {
        Path encrypted = newKey("doomed_ed25519", "ed25519", "secret");
        try (OpenSshServer doomed = OpenSshServer.start(dir.resolve("doomed"))) {
            doomed.authorize(pub(encrypted));
            CredentialPrompt killsTheServer = new CredentialPrompt() {
                @Override
                public Optional<char[]> passphrase(Path keyFile) {
                    doomed.kill(); // after key exchange, before the key is offered
                    return Optional.of("secret".toCharArray());
                }

                @Override
                public Optional<char[]> password(String user, Endpoint server) {
                    return Optional.empty();
                }
            };
            TransportException thrown = assertThrows(TransportException.class, () -> transport.connect(
                    settings(doomed, knows(doomed.hostKey()), List.of(encrypted), killsTheServer, Duration.ofSeconds(10))));
            assertEquals(Reason.UNREACHABLE, thrown.reason(), thrown.getMessage());
            assertTrue(thrown.getMessage().startsWith("Connection to " + doomed.endpoint()
                    + " was lost during authentication"), thrown.getMessage());
        }
    }

    /** sshd's MaxAuthTries: the server refused the keys tried and will hear no more: a refusal, with its cause. */
    @Test
    void tooManyAuthenticationFailuresIsAuthFailedAndSaysSo() throws Exception {
        Path first = newKey("wrong1_ed25519", "ed25519", "");
        Path second = newKey("wrong2_ed25519", "ed25519", "");
        try (OpenSshServer strict = OpenSshServer.start(dir.resolve("strict"), "MaxAuthTries 1")) {
            TransportException thrown = assertThrows(TransportException.class, () -> transport.connect(
                    settings(strict, knows(strict.hostKey()), List.of(first, second, strict.userKey()),
                            CredentialPrompt.NONE, Duration.ofSeconds(10))));
            assertEquals(Reason.AUTH_FAILED, thrown.reason(), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("too many authentication failures"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains(first.toString()), thrown.getMessage());
        }
    }

    // --- 6. local window: 2 MiB per channel (OpenSSH's), both kinds

    @Test
    void everyChannelHasTheLocalWindowOfOpenSsh() throws Exception {
        try (EchoServer echo = EchoServer.start(); SshConnection connection = transport.connect(settings(sshd))) {
            List<Long> windows = new CopyOnWriteArrayList<>();
            ((SshdConnection) connection).session().addChannelListener(new ChannelListener() {
                @Override
                public void channelOpenSuccess(Channel channel) {
                    windows.add(((AbstractChannel) channel).getLocalWindow().getMaxSize());
                }
            });
            try (SshChannel direct = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000))) {
                direct.write(new byte[] {7}, 0, 1);
                assertEquals(1, direct.read(new byte[1], 0, 1));
            }
            try (RemoteListen listen = connection.listen(new Endpoint("127.0.0.1", 0), answering("w"));
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), listen.bound().port())) {
                socket.shutdownOutput();
                assertEquals("w", new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            assertEquals(List.of(SharedClient.LOCAL_WINDOW, SharedClient.LOCAL_WINDOW), windows);
            assertEquals(2L << 20, SharedClient.LOCAL_WINDOW);
        }
    }

    /**
     * An opened channel's closer is built without MINA's wait for the open answer (whose failure
     * it made an exception for at every close): the CLOSE exchange still happens, sshd frees every
     * channel, and MINA closes each one cleanly.
     */
    @Test
    void openedChannelsStillCloseWithTheServersCloseAndNoFailure() throws Exception {
        int channels = 40;
        try (OpenSshServer verbose = OpenSshServer.start(dir.resolve("closes"), "LogLevel DEBUG2");
                EchoServer echo = EchoServer.start();
                SshConnection connection = transport.connect(settings(verbose))) {
            List<Throwable> reasons = new CopyOnWriteArrayList<>();
            AtomicLong closed = new AtomicLong();
            ((SshdConnection) connection).session().addChannelListener(new ChannelListener() {
                @Override
                public void channelClosed(Channel channel, Throwable reason) {
                    if (reason != null) {
                        reasons.add(reason);
                    }
                    closed.incrementAndGet();
                }
            });
            for (int i = 0; i < channels; i++) {
                try (SshChannel direct = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000))) {
                    direct.write(new byte[] {(byte) i}, 0, 1);
                    assertEquals(1, direct.read(new byte[1], 0, 1));
                }
            }
            Pattern freed = Pattern.compile("channel \\d+: free: direct-tcpip");
            awaitCondition("sshd freed all " + channels + " channels",
                    () -> freed.matcher(verbose.log()).results().count() == channels);
            awaitCondition("MINA closed all " + channels + " channels", () -> closed.get() == channels);
            assertEquals(List.of(), reasons);
        }
    }

    /**
     * The window goes back in steps of an eighth of it (256 KiB), not MINA's 64-131 KiB: sshd's log
     * names every {@code SSH_MSG_CHANNEL_WINDOW_ADJUST} it receives (68 for the 8 MiB here with
     * MINA's rule).
     */
    @Test
    void givesTheWindowBackAnEighthOfItAtATime() throws Exception {
        long total = 8L << 20;
        try (OpenSshServer verbose = OpenSshServer.start(dir.resolve("verbose"), "LogLevel DEBUG2");
                BulkServer bulk = new BulkServer(total)) {
            try (SshConnection connection = transport.connect(settings(verbose))) {
                transfer(connection, bulk, 'D', total);
            }
            Pattern adjust = Pattern.compile("channel \\d+: rcvd adjust (\\d+)");
            List<Long> adjusts = verbose.log().lines().map(adjust::matcher).filter(Matcher::find)
                    .map(match -> Long.parseLong(match.group(1))).toList();
            // 8 MiB through a 2 MiB window: at least 6 MiB had to come back, 256 KiB or more at a time
            assertTrue(adjusts.stream().mapToLong(Long::longValue).sum() >= total - SharedClient.LOCAL_WINDOW,
                    "adjusts sshd received: " + adjusts);
            assertTrue(adjusts.stream().allMatch(bytes -> bytes >= SharedClient.LOCAL_WINDOW / 8),
                    "adjusts sshd received: " + adjusts);
        }
    }

    // --- 7. Nagle off on the socket to the server: a 1-byte echo never waits for a delayed ACK

    @Test
    void theSocketToTheServerSendsSmallPacketsAtOnce() throws Exception {
        try (SshConnection connection = transport.connect(settings(sshd))) {
            IoSession io = ((SshdConnection) connection).session().getIoSession();
            assertTrue(((SocketSession) io).socket().getOption(StandardSocketOptions.TCP_NODELAY), "TCP_NODELAY on " + io);
        }
    }

    // --- 6. local window: the manual measurement, not an assertion

    /**
     * Throughput of one bulk stream (512 MiB each way) through a direct channel to a local sink or
     * source, for local windows of 2 MiB, 1 MiB and 512 KiB, interleaved, after a warm-up; run by
     * hand with {@code -DargLine=-Dcaret.windowBench=true} (optionally {@code
     * -Dcaret.windowBench.repeats=8}). Prints MB/s; asserts only the bytes and the window in effect.
     */
    @Test
    @EnabledIfSystemProperty(named = "caret.windowBench", matches = "true")
    void measuresBulkThroughputForLocalWindows() throws Exception {
        long total = Long.getLong("caret.windowBench.mib", 512) * 1024 * 1024;
        int repeats = Integer.getInteger("caret.windowBench.repeats", 3);
        try (BulkServer bulk = new BulkServer(total); SshConnection connection = transport.connect(settings(sshd))) {
            ClientSession session = ((SshdConnection) connection).session();
            AtomicLong inEffect = new AtomicLong();
            session.addChannelListener(new ChannelListener() {
                @Override
                public void channelOpenSuccess(Channel channel) {
                    inEffect.set(((AbstractChannel) channel).getLocalWindow().getMaxSize());
                }
            });
            transfer(connection, bulk, 'D', total); // warm-up: JIT
            transfer(connection, bulk, 'U', total);
            for (int round = 0; round < repeats; round++) {
                for (long window : List.of(2L << 20, 1L << 20, 512L << 10)) {
                    CoreModuleProperties.WINDOW_SIZE.set(session, window);
                    double down = transfer(connection, bulk, 'D', total);
                    assertEquals(window, inEffect.get(), "the local window of the channel");
                    double up = transfer(connection, bulk, 'U', total);
                    System.out.printf("window-bench round %d window %4d KiB: down %6.1f MB/s, up %6.1f MB/s%n", round,
                            window >> 10, down, up);
                }
            }
        }
    }

    /** MB/s for {@code total} bytes through one direct channel: 'D' the server side sends, 'U' we send. */
    private static double transfer(SshConnection connection, BulkServer bulk, char direction, long total)
            throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long start = System.nanoTime();
        try (SshChannel channel = connection.openChannel(bulk.endpoint(), new Endpoint("127.0.0.1", 40000))) {
            channel.write(new byte[] {(byte) direction}, 0, 1);
            long moved = 0;
            if (direction == 'D') {
                channel.sendEof();
                for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
                    moved += n;
                }
            } else {
                for (; moved < total; moved += buffer.length) {
                    channel.write(buffer, 0, buffer.length);
                }
                channel.sendEof();
                byte[] ack = new byte[8];
                assertEquals(8, channel.read(ack, 0, 8));
                assertEquals(total, java.nio.ByteBuffer.wrap(ack).getLong());
            }
            assertEquals(total, moved);
        }
        return total / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** 'D': sends {@code total} bytes and closes; 'U': reads to EOF, answers the count. On 127.0.0.1. */
    private static final class BulkServer implements AutoCloseable {
        private final ServerSocket server;

        BulkServer(long total) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread.ofVirtual().start(() -> serve(socket, total));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket socket, long total) {
            byte[] buffer = new byte[64 * 1024];
            try (socket) {
                int command = socket.getInputStream().read();
                if (command == 'D') {
                    OutputStream out = socket.getOutputStream();
                    for (long sent = 0; sent < total; sent += buffer.length) {
                        out.write(buffer);
                    }
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                } else {
                    long received = 0;
                    for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                        received += n;
                    }
                    socket.getOutputStream().write(java.nio.ByteBuffer.allocate(8).putLong(received).array());
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    // --- helpers

    /**
     * A human who takes {@code time} to answer: the elapsed time is the very condition under test,
     * so this waits on a latch nobody counts down, for exactly that long.
     */
    private static void takeTime(Duration time) {
        try {
            assertTrue(!new CountDownLatch(1).await(time.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while playing a slow human", e);
        }
    }

    private static void trustExactly(HostKey expected, Endpoint server, HostKey key) throws TransportException {
        if (!expected.equals(key)) {
            throw new TransportException(Reason.HOST_KEY_UNKNOWN, "The host key of " + server + " is not known: "
                    + key.openSshText() + " (expected " + expected.openSshText() + ")");
        }
    }

    /** Trusts exactly {@code expected} and says it knows that key type, as a known_hosts line would. */
    private static HostKeyVerifier knows(HostKey expected) {
        return new HostKeyVerifier() {
            @Override
            public void verify(Endpoint server, HostKey key) throws TransportException {
                trustExactly(expected, server, key);
            }

            @Override
            public List<String> knownKeyTypes(Endpoint server) {
                return List.of(expected.type());
            }
        };
    }

    private static ConnectionSettings settings(OpenSshServer server) {
        return settings(server, knows(server.hostKey()), List.of(server.userKey()), CredentialPrompt.NONE,
                Duration.ofSeconds(10));
    }

    private static ConnectionSettings settings(OpenSshServer server, HostKeyVerifier verifier, List<Path> keys,
            CredentialPrompt prompt, Duration connectTimeout) {
        return new ConnectionSettings(server.endpoint(), server.user(), keys, verifier, prompt, Duration.ZERO, 3,
                connectTimeout);
    }

    private static Path newKey(String name, String type, String passphrase) throws Exception {
        Path key = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "caret-test",
                "-f", key.toString()).redirectErrorStream(true).start();
        keygen.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertEquals(0, keygen.waitFor(), "ssh-keygen -t " + type);
        return key;
    }

    private static Path pub(Path key) {
        return key.resolveSibling(key.getFileName() + ".pub");
    }
}
