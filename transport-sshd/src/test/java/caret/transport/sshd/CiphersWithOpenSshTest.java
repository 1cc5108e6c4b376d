package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.HostKeyVerifier;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.spi.TransportException;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.cipher.CipherInformation;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ciphers the transport offers, against a real OpenSSH sshd that allows only one: every byte
 * goes up and comes back through an echo server (sha256 compared), across a key re-exchange in the
 * middle, so both directions are encrypted by one side and decrypted by the other with fresh keys.
 * And the key exchange, whose first keys are made while the connection is made ({@link EarlyKeys}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CiphersWithOpenSshTest {

    private static final int SIZE = 8 * 1024 * 1024;
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
            "aes128-ctr"})
    void carriesEveryByteBothWaysAcrossARekey(String cipher) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.start(dir, "Ciphers " + cipher);
                EchoServer echo = EchoServer.start();
                SshConnection connection = new SshdTransport().connect(settings(sshd))) {
            ClientSession session = ((SshdConnection) connection).session();
            assertEquals(cipher, session.getNegotiatedKexParameter(KexProposalOption.C2SENC));
            assertEquals(cipher, session.getNegotiatedKexParameter(KexProposalOption.S2CENC));
            if (cipher.startsWith("chacha20")) {
                assertOurChaCha(session.getCipherInformation(true));
                assertOurChaCha(session.getCipherInformation(false));
            }
            if (cipher.contains("gcm")) {
                assertInstanceOf(AesGcm.class, session.getCipherInformation(true), "AES-GCM decrypting out of place, not MINA's");
                assertInstanceOf(AesGcm.class, session.getCipherInformation(false), "AES-GCM decrypting out of place, not MINA's");
            }
            try (SshChannel channel = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000))) {
                byte[] data = new byte[SIZE];
                new Random(cipher.hashCode()).nextBytes(data);
                CompletableFuture<String> back = CompletableFuture.supplyAsync(() -> readAll(channel));
                channel.write(data, 0, SIZE / 2);
                assertTrue(session.reExchangeKeys().verify(Duration.ofSeconds(30)).isDone(), "key re-exchange");
                channel.write(data, SIZE / 2, SIZE - SIZE / 2);
                channel.sendEof();
                assertEquals(SIZE + ":" + sha256(data, SIZE), back.get(60, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * OpenSSH renews the keys after 2^32 blocks of a 16-byte-block cipher and after 1 GiB of one
     * with 8-byte blocks (chacha20-poly1305); MINA's default renews them after every GiB whatever
     * the cipher, pausing every channel for the exchange.
     */
    @ParameterizedTest
    @CsvSource({"aes128-gcm@openssh.com, false", "chacha20-poly1305@openssh.com, true"})
    void renewsTheKeysWhenTheCipherNeedsItAsOpenSshDoes(String cipher, boolean renewed) throws Exception {
        long size = GIB + GIB / 8;
        try (OpenSshServer sshd = OpenSshServer.start(dir, "Ciphers " + cipher);
                ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                SshConnection connection = new SshdTransport().connect(settings(sshd))) {
            AtomicInteger exchanges = new AtomicInteger();
            ((SshdConnection) connection).session().addSessionListener(new SessionListener() {
                @Override
                public void sessionEvent(Session session, Event event) {
                    if (event == Event.KeyEstablished) {
                        exchanges.incrementAndGet();
                    }
                }
            });
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(sink));
            try (SshChannel channel = connection.openChannel(new Endpoint("127.0.0.1", sink.getLocalPort()),
                    new Endpoint("127.0.0.1", 40000))) {
                byte[] chunk = new byte[256 * 1024];
                for (long sent = 0; sent < size; sent += chunk.length) {
                    channel.write(chunk, 0, chunk.length);
                }
                channel.sendEof();
                assertEquals(size, received.get(60, TimeUnit.SECONDS));
            }
            assertEquals(renewed, exchanges.get() > 0, exchanges.get() + " key re-exchanges for " + size + " bytes");
        }
    }

    @Test
    void offersTheFastestCipherOfThisMachineFirstAndTheServerTakesIt() throws Exception {
        assertEquals("aes128-gcm@openssh.com", CipherOrder.forAesInstructions(true).get(0).getName());
        assertEquals("chacha20-poly1305@openssh.com", CipherOrder.forAesInstructions(false).get(0).getName());
        assertEquals(List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
                "aes128-ctr", "aes192-ctr", "aes256-ctr"),
                CipherOrder.forAesInstructions(true).stream().map(c -> c.getName()).toList());
        String first = CipherOrder.forThisMachine().get(0).getName();
        // sshd's own default list has them all; the server takes the client's first that it has
        try (OpenSshServer sshd = OpenSshServer.start(dir);
                SshConnection connection = new SshdTransport().connect(settings(sshd))) {
            ClientSession session = ((SshdConnection) connection).session();
            assertEquals(first, session.getNegotiatedKexParameter(KexProposalOption.C2SENC));
            assertEquals(first, session.getNegotiatedKexParameter(KexProposalOption.S2CENC));
        }
    }

    /**
     * sshd's own list has both names of sntrup761x25519-sha512 (OpenSSH 9.0's default) and
     * curve25519; the transport offers sntrup761 first, under either name the first key exchange
     * takes the keys made while connecting, and a re-key (made on the spot) carries the bytes on.
     */
    @ParameterizedTest
    @CsvSource({"'', sntrup761x25519-sha512, true",
            "KexAlgorithms sntrup761x25519-sha512@openssh.com, sntrup761x25519-sha512@openssh.com, true",
            "KexAlgorithms curve25519-sha256, curve25519-sha256, false"})
    void theFirstKeyExchangeTakesTheKeysMadeWhileConnecting(String config, String kex, boolean early) throws Exception {
        String[] lines = config.isEmpty() ? new String[0] : new String[] {config};
        try (OpenSshServer sshd = OpenSshServer.start(dir, lines);
                EchoServer echo = EchoServer.start();
                SshConnection connection = new SshdTransport().connect(settings(sshd))) {
            ClientSession session = ((SshdConnection) connection).session();
            assertEquals(kex, session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
            assertEquals(early, session.getConnectionContext().getAttribute(EarlyKeys.KEY).taken(),
                    "the early keys taken by the first key exchange");
            try (SshChannel channel = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000))) {
                byte[] data = new byte[SIZE / 8];
                new Random(kex.hashCode()).nextBytes(data);
                CompletableFuture<String> back = CompletableFuture.supplyAsync(() -> readAll(channel));
                channel.write(data, 0, data.length / 2);
                assertTrue(session.reExchangeKeys().verify(Duration.ofSeconds(30)).isDone(), "key re-exchange");
                assertEquals(kex, session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
                channel.write(data, data.length / 2, data.length - data.length / 2);
                channel.sendEof();
                assertEquals(data.length + ":" + sha256(data, data.length), back.get(60, TimeUnit.SECONDS));
            }
        }
    }

    private static void assertOurChaCha(CipherInformation cipher) {
        assertInstanceOf(ChaCha20Poly1305.class, cipher, "the JDK-backed chacha20-poly1305, not MINA's");
    }

    /** {@code count:sha256} of everything read to EOF. */
    private static String readAll(SshChannel channel) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long count = 0;
            for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
                digest.update(buffer, 0, n);
                count += n;
            }
            return count + ":" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts one connection and reads it to its end; how many bytes came. */
    private static long drain(ServerSocket server) {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[256 * 1024];
            long count = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                count += n;
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] data, int length) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(data, 0, length);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static ConnectionSettings settings(OpenSshServer server) {
        HostKeyVerifier verifier = new HostKeyVerifier() {
            @Override
            public void verify(Endpoint endpoint, caret.spi.HostKey key) throws TransportException {
                if (!server.hostKey().equals(key)) {
                    throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                            "The host key of " + endpoint + " is not the test server's: " + key.openSshText());
                }
            }

            @Override
            public List<String> knownKeyTypes(Endpoint endpoint) {
                return List.of(server.hostKey().type());
            }
        };
        return new ConnectionSettings(server.endpoint(), server.user(), List.of(server.userKey()), verifier,
                CredentialPrompt.NONE, Duration.ZERO, 3, Duration.ofSeconds(10));
    }
}
