package caret.transport.jsch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.spi.TransportException;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channels we open offer the server a 2 MiB window and 32 KiB packets, not JSch's 128 KiB and
 * 16 KiB ({@link JschConnection#CHANNEL_WINDOW}): read from sshd's own log, which names the sizes a
 * client offered, with more than a window of bytes carried both ways.
 */
class JschChannelWindowTest {

    private static final String WINDOW = String.valueOf(JschConnection.CHANNEL_WINDOW);
    private static final String PACKET = String.valueOf(JschConnection.CHANNEL_PACKET);

    @TempDir
    static Path dir;

    private static OpenSshServer sshd;
    private static EchoServer echo;

    @BeforeAll
    static void start() {
        sshd = OpenSshServer.start(dir, "LogLevel DEBUG");
        echo = EchoServer.start();
    }

    @AfterAll
    static void stop() {
        if (echo != null) {
            echo.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    @Timeout(60)
    void offersOpenSshsWindowAndPacketSize() throws Exception {
        try (SshConnection connection = new JschTransport().connect(settings());
                SshChannel channel = connection.openChannel(echo.endpoint(), new Endpoint("127.0.0.1", 40000))) {
            byte[] data = random(3 * 1024 * 1024);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    channel.write(data, 0, data.length);
                    channel.sendEof();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, task -> Thread.ofVirtual().start(task));
            assertArrayEquals(data, readToEnd(channel));
            written.get(20, TimeUnit.SECONDS);
        }
        assertServerLogged("ctype direct-tcpip rchan \\d+ win " + WINDOW + " max " + PACKET);
    }

    private static void assertServerLogged(String regex) {
        Pattern pattern = Pattern.compile(regex);
        String log = sshd.log();
        assertTrue(log.lines().anyMatch(line -> pattern.matcher(line).find()),
                "sshd's log has no line matching '" + regex + "':\n" + log);
    }

    private static ConnectionSettings settings() {
        return new ConnectionSettings(sshd.endpoint(), sshd.user(), List.of(sshd.userKey()),
                (server, key) -> {
                    if (!sshd.hostKey().equals(key)) {
                        throw new TransportException(TransportException.Reason.HOST_KEY_CHANGED, "not the test's sshd");
                    }
                }, CredentialPrompt.NONE, Duration.ZERO, 3, Duration.ofSeconds(10));
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static byte[] readToEnd(SshChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[32 * 1024];
        for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
