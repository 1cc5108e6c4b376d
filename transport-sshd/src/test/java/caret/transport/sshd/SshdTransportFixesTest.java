package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import caret.testkit.OpenSshServer;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fixes of the transport review, each against a real OpenSSH sshd on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshdTransportFixesTest {

    private static final Duration SHORT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SLOW_HUMAN = Duration.ofSeconds(3);

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
