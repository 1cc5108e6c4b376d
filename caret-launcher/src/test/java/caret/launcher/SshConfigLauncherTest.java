package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which ssh_config the launcher reads, and what it refuses before connecting: {@code ~/.ssh/config}
 * by default, nothing with {@code -F none}, a bad line or a setting Caret cannot honour named by
 * file:line with exit code 2, and ProxyJump refused until the transports support it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshConfigLauncherTest {

    Path dir;
    OpenSshServer sshd;
    WebPage web;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        web = WebPage.start();
    }

    @AfterAll
    void stop() {
        web.close();
        sshd.close();
    }

    @Test
    void readsTheUsersSshConfigWithoutMinusF(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        Files.write(home.resolve(".ssh/config"), List.of(
                "Host mydb",
                "  HostName 127.0.0.1",
                "  Port " + sshd.port(),
                "  User " + sshd.user(),
                "  IdentityFile " + sshd.userKey(),
                "  UserKnownHostsFile " + sshd.knownHosts(),
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  LocalForward 0 127.0.0.1:" + web.port()));
        Path stderr = dir.resolve("home.err");
        Process caret = LauncherProcess.command(List.of("mydb"), home).redirectError(stderr.toFile()).start();
        try {
            int port = LauncherProcess.readyPorts(caret, 1, stderr).get("local 0:127.0.0.1:" + web.port());
            assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + port + "/"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void minusFNoneIgnoresTheUsersSshConfig(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        Path config = home.resolve(".ssh/config");
        Files.write(config, List.of("Host *", "  Port abc"));
        List<String> args = List.of("-p", Integer.toString(sshd.port()), "-i", sshd.userKey().toString(),
                "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-L", "0:127.0.0.1:" + web.port(), sshd.user() + "@127.0.0.1");

        LauncherProcess.Result read = LauncherProcess.run(LauncherProcess.command(args, home));
        assertEquals(2, read.exit(), read.stderr());
        assertTrue(read.stderr().contains("Error: " + config + ":2: bad Port 'abc'"), read.stderr());

        List<String> ignoring = new ArrayList<>(List.of("-F", "none"));
        ignoring.addAll(args);
        Path stderr = dir.resolve("none.err");
        Process caret = LauncherProcess.command(ignoring, home).redirectError(stderr.toFile()).start();
        try {
            int port = LauncherProcess.readyPorts(caret, 1, stderr).get("local 0:127.0.0.1:" + web.port());
            assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + port + "/"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBadLineExits2NamingFileLineValueAndFormWithoutConnecting() throws Exception {
        try (ServerSocketChannel server = listener()) {
            Path cfg = write("bad", "Host mydb",
                    "  HostName 127.0.0.1",
                    "  Port " + server.socket().getLocalPort(),
                    "  LocalForward 8080 db");
            LauncherProcess.Result result = LauncherProcess.run("-F", cfg.toString(), "mydb");
            assertEquals(2, result.exit(), result.stderr());
            assertEquals("Error: " + cfg + ":4: bad LocalForward '8080 db': the destination 'db' is not host:hostport;"
                    + " write LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432",
                    result.stderr().strip());
            assertNoConnection(server);
        }
    }

    @Test
    void proxyCommandForTheHostExits2NamingItsLineWithoutConnecting() throws Exception {
        try (ServerSocketChannel server = listener()) {
            Path cfg = write("proxycommand", "Host viaproxy",
                    "  HostName 127.0.0.1",
                    "  Port " + server.socket().getLocalPort(),
                    "  ProxyCommand nc %h %p");
            LauncherProcess.Result result = LauncherProcess.run("-F", cfg.toString(), "-D", "0", "viaproxy");
            assertEquals(2, result.exit(), result.stderr());
            assertTrue(result.stderr().startsWith("Error: " + cfg + ":4: ProxyCommand nc %h %p applies to viaproxy,"
                    + " and Caret cannot run a proxy command"), result.stderr());
            assertNoConnection(server);
        }
    }

    @Test
    void aJumpHostFromTheFileOrMinusJCarriesTheConnectionOnBothTransports() throws Exception {
        try (OpenSshServer bastion = OpenSshServer.start(dir.resolve("sshd"))) { // the same folder: the same user key
            String knownHosts = sshd.knownHosts() + " " + bastion.knownHosts();
            Path cfg = write("jump", "Host far",
                    "  HostName 127.0.0.1",
                    "  Port " + sshd.port(),
                    "  ProxyJump bastion",
                    "Host bastion",
                    "  HostName 127.0.0.1",
                    "  Port " + bastion.port(),
                    "Host *",
                    "  User " + sshd.user(),
                    "  IdentityFile " + sshd.userKey(),
                    "  UserKnownHostsFile " + knownHosts,
                    "  StrictHostKeyChecking yes",
                    "  BatchMode yes");
            for (String transport : List.of("sshd", "jsch")) {
                for (List<String> args : List.of(List.of("-F", cfg.toString(), "--transport", transport, "-D", "0", "far"),
                        List.of("-F", "none", "--transport", transport, "-J", sshd.user() + "@127.0.0.1:" + bastion.port(),
                                "-p", Integer.toString(sshd.port()), "-i", sshd.userKey().toString(),
                                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                                "-D", "0", sshd.user() + "@127.0.0.1"))) {
                    Path stderr = dir.resolve("jump-" + transport + ".err");
                    Process caret = LauncherProcess.launch(args, stderr);
                    try {
                        int port = LauncherProcess.readyPorts(caret, 1, stderr).get("dynamic 0");
                        assertEquals(WebPage.BODY, Curl.fetch("--socks5", "127.0.0.1:" + port, "http://127.0.0.1:" + web.port() + "/"),
                                args.toString());
                        assertTrue(bastion.hasConnections(), "the connection goes through the jump host: " + args);
                    } finally {
                        caret.destroy();
                        assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
                    }
                }
            }
        }
    }

    @Test
    void minusJNoneOverridesTheFilesProxyJump() throws Exception {
        Path cfg = write("jumpnone", "Host mydb",
                "  HostName 127.0.0.1",
                "  Port " + sshd.port(),
                "  User " + sshd.user(),
                "  IdentityFile " + sshd.userKey(),
                "  UserKnownHostsFile " + sshd.knownHosts(),
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  ProxyJump bastion:2222",
                "  DynamicForward 0");
        Path stderr = dir.resolve("jumpnone.err");
        Process caret = LauncherProcess.launch(List.of("-F", cfg.toString(), "-J", "none", "mydb"), stderr);
        try {
            int port = LauncherProcess.readyPorts(caret, 1, stderr).get("dynamic 0");
            assertEquals(WebPage.BODY, Curl.fetch("--socks5", "127.0.0.1:" + port, "http://127.0.0.1:" + web.port() + "/"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aMatchCaretCannotEvaluateIsSkippedWithAWarning() throws Exception {
        Path cfg = write("match", "Match exec \"true\"", "  Port 1");
        LauncherProcess.Result result = LauncherProcess.run("-F", cfg.toString(), "--transport", "nosuch", "-D", "0", "127.0.0.1");
        assertEquals(2, result.exit(), result.stderr()); // for the transport: it stops caret before any connection
        assertTrue(result.stderr().startsWith("Warning: " + cfg + ":1: Match exec cannot be evaluated by Caret, so this block is skipped;"
                + " if it should apply to 127.0.0.1, use Host or Match host"), result.stderr());
    }

    private Path write(String name, String... lines) throws IOException {
        Path cfg = dir.resolve(name + "_config");
        Files.write(cfg, List.of(lines));
        return cfg;
    }

    /** A port on 127.0.0.1 that counts connections instead of serving them. */
    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.configureBlocking(false);
        return server;
    }

    /** Caret has exited: a connection it made would be waiting in the backlog by now. */
    private static void assertNoConnection(ServerSocketChannel server) throws IOException {
        try (SocketChannel accepted = server.accept()) {
            assertNull(accepted, "caret connected to " + server.getLocalAddress());
        }
    }
}
