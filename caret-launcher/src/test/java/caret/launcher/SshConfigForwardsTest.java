package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.Endpoint;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code caret -F cfg mydb} as people run it, a real launcher process against a real sshd on every
 * transport: the alias leads to the server, and the host's LocalForward, RemoteForward and
 * DynamicForward lines come up beside the command line's, carrying bytes.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("caret.launcher.Transports#all")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshConfigForwardsTest {

    @Parameter
    String transport;

    Path dir;
    OpenSshServer sshd;
    EchoServer echo;
    WebPage web;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        echo = EchoServer.start();
        web = WebPage.start();
    }

    @AfterAll
    void stop() {
        web.close();
        echo.close();
        sshd.close();
    }

    @Test
    void bringsUpTheHostsLocalAndDynamicForwardsBesideTheCommandLinesAndCarriesBytes() throws Exception {
        Path cfg = config("mydb",
                "  LocalForward 0 127.0.0.1:" + echo.port(),
                "  DynamicForward 0");
        Path stderr = dir.resolve(transport + "-local.err");
        Process caret = LauncherProcess.launch(List.of("--transport", transport, "-F", cfg.toString(),
                "-L", "0:127.0.0.1:" + web.port(), "mydb"), stderr);
        try {
            Map<String, Integer> ready = LauncherProcess.readyPorts(caret, 3, stderr);
            assertEquals(List.of("local 0:127.0.0.1:" + web.port(), "local 0:127.0.0.1:" + echo.port(), "dynamic 0"),
                    new ArrayList<>(ready.keySet()), "the command line's forwards first, then the file's");
            assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + ready.get("local 0:127.0.0.1:" + web.port()) + "/"));
            assertEchoes(new Endpoint("127.0.0.1", ready.get("local 0:127.0.0.1:" + echo.port())));
            assertEquals(WebPage.BODY, Curl.fetch("--socks5", "127.0.0.1:" + ready.get("dynamic 0"),
                    "http://127.0.0.1:" + web.port() + "/"));
        } finally {
            stop(caret);
        }
    }

    @Test
    void bringsUpTheHostsRemoteForward() throws Exception {
        Path cfg = config("mydb", "  RemoteForward 0 127.0.0.1:" + echo.port());
        Path stderr = dir.resolve(transport + "-remote.err");
        Process caret = LauncherProcess.launch(List.of("--transport", transport, "-F", cfg.toString(), "mydb"), stderr);
        try {
            int port = LauncherProcess.readyPorts(caret, 1, stderr).get("reverse 0:127.0.0.1:" + echo.port());
            assertEchoes(new Endpoint("127.0.0.1", port)); // the server listens on its loopback, which is this machine's
        } finally {
            stop(caret);
        }
    }

    @Test
    void aForwardInTheFileThatTheCommandLineAlsoGivesStartsOnce() throws Exception {
        int port = Fixtures.closedPort();
        Path cfg = config("mydb",
                "  ExitOnForwardFailure yes",
                "  LocalForward " + port + " 127.0.0.1:" + echo.port(),
                "  DynamicForward 0");
        Path stderr = dir.resolve(transport + "-twice.err");
        Process caret = LauncherProcess.launch(List.of("--transport", transport, "-F", cfg.toString(),
                "-L", port + ":127.0.0.1:" + echo.port(), "mydb"), stderr);
        try {
            // started twice, the second would fail on the taken port and ExitOnForwardFailure would end caret before -D
            Map<String, Integer> ready = LauncherProcess.readyPorts(caret, 2, stderr);
            assertEquals(List.of("local " + port + ":127.0.0.1:" + echo.port(), "dynamic 0"), new ArrayList<>(ready.keySet()));
            assertEchoes(new Endpoint("127.0.0.1", port));
        } finally {
            stop(caret);
        }
    }

    @Test
    void exitOnForwardFailureFromTheFileEndsCaretWhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path cfg = config("mydb",
                    "  ExitOnForwardFailure yes",
                    "  LocalForward " + taken.getLocalPort() + " 127.0.0.1:" + echo.port());
            LauncherProcess.Result result = LauncherProcess.run("--transport", transport, "-F", cfg.toString(), "mydb");
            assertEquals(255, result.exit(), result.stderr());
            assertTrue(result.stderr().contains("Local port " + taken.getLocalPort() + " is already in use on 127.0.0.1"), result.stderr());
        }
    }

    /** A config whose {@code alias} leads to the test sshd, logging in with its key, then {@code lines}. */
    private Path config(String alias, String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of(
                "# written by " + getClass().getSimpleName(),
                "Host " + alias,
                "  HostName 127.0.0.1",
                "  Port " + sshd.port(),
                "  User " + sshd.user(),
                "  IdentityFile \"" + sshd.userKey() + "\"",
                "  UserKnownHostsFile \"" + sshd.knownHosts() + "\"",
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  ServerAliveInterval 0"));
        all.addAll(List.of(lines));
        all.addAll(List.of("", "Host *", "  Port 1", "  User nobody-else"));
        Path cfg = Files.createTempFile(dir, "ssh_config-", "");
        Files.write(cfg, all);
        return cfg;
    }

    /** Sends 256 KiB through {@code address}, half-closes, and checks every byte came back. */
    private static void assertEchoes(Endpoint address) throws Exception {
        byte[] sent = new byte[256 * 1024];
        new Random(7).nextBytes(sent);
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor(); Socket socket = Fixtures.connect(address)) {
            Future<?> writing = writers.submit(() -> {
                socket.getOutputStream().write(sent);
                socket.shutdownOutput();
                return null;
            });
            byte[] received = socket.getInputStream().readAllBytes();
            writing.get(30, TimeUnit.SECONDS);
            assertArrayEquals(sent, received);
        }
    }

    private static void stop(Process caret) throws InterruptedException {
        caret.destroy();
        assertTrue(caret.waitFor(20, TimeUnit.SECONDS), "caret did not stop on SIGTERM");
    }
}
