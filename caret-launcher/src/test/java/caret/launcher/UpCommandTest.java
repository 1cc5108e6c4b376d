package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.Endpoint;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code caret up FILE} with the real launcher: two real sshd, one on each transport, and a third
 * server that is down; every enabled forward comes up and carries bytes, a disabled one stays off,
 * the server that is down is retried without holding up the others, {@code caret reload} applies
 * an edited file, a bad file is refused whole at start and on reload, and the running forwards
 * never notice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpCommandTest {

    private static final String PASSWORD = "from-the-file-" + Long.toHexString(System.nanoTime());

    Path dir;
    OpenSshServer a;
    OpenSshServer b;
    EchoServer echo;
    WebPage web;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        a = OpenSshServer.start(dir.resolve("a"));
        b = OpenSshServer.start(dir.resolve("b"));
        echo = EchoServer.start();
        web = WebPage.start();
    }

    @AfterAll
    void stop() {
        web.close();
        echo.close();
        b.close();
        a.close();
    }

    @Test
    void bringsUpEveryServerAndEnabledForwardAndReloadsLive() throws Exception {
        int down = Fixtures.closedPort();
        Path file = dir.resolve("caret.json");
        Files.writeString(file, config(down, """
                "db": { "kind": "local", "localPort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d },
                "socks": { "kind": "dynamic", "localPort": 0, "options": { "user": "alice", "password": "%s" } },
                "spare": { "kind": "local", "spec": "0:127.0.0.1:%d", "enabled": false }
                """.formatted(echo.port(), PASSWORD, echo.port()), """
                "api": { "kind": "reverse", "remotePort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d }
                """.formatted(web.port())));
        Path socket = dir.resolve("up.sock");
        Path stderr = dir.resolve("up.err");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Path events = dir.resolve("up-events.jsonl");
        Process caret = LauncherProcess.launch(List.of("up", "-v", "-S", socket.toString(), "--on-event", "cat >> '" + events + "'",
                file.toString()), stderr);
        try {
            Map<String, Integer> ready = LauncherProcess.readyPorts(caret, 3, stderr);
            assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", ready.get("db"))), "local forward on a (sshd)");
            assertEquals(WebPage.BODY, Curl.fetch("--proxy", "socks5h://alice:" + PASSWORD + "@127.0.0.1:" + ready.get("socks"),
                    "http://127.0.0.1:" + web.port() + "/"));
            Await.until("the hook told of each forward coming up", () -> LauncherProcess.read(events).contains("\"forward\":\"db\"")
                    && LauncherProcess.read(events).contains("\"event\":\"up\""));
            assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + ready.get("api") + "/"), "reverse forward on b (jsch)");

            JsonNode status = StatusJson.of(socket);
            assertFalse(status.toString().contains(PASSWORD), "the SOCKS password is not in the status");
            assertEquals("UP", StatusJson.server(status, "a").get("state").asString());
            assertEquals("UP", StatusJson.server(status, "b").get("state").asString());
            assertEquals("jsch", StatusJson.server(status, "b").get("transport").asString());
            assertEquals("OFF", StatusJson.forward(status, "a", "spare").get("state").asString());
            JsonNode gone = StatusJson.server(status, "gone");
            assertEquals("RECONNECTING", gone.get("state").asString());
            assertTrue(gone.get("lastError").asString().contains("127.0.0.1:" + down), gone.toString());
            assertEquals("WAITING", StatusJson.forward(status, "gone", "never").get("state").asString());

            // Edit the file: switch spare on, remove socks, add web; reload.
            try (Socket steady = Fixtures.connect(new Endpoint("127.0.0.1", ready.get("db")))) {
                Files.writeString(file, config(down, """
                        "db": { "kind": "local", "localPort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d },
                        "spare": { "kind": "local", "spec": "0:127.0.0.1:%d", "enabled": true },
                        "web": { "kind": "local", "spec": "0:127.0.0.1:%d" }
                        """.formatted(echo.port(), echo.port(), web.port()), """
                        "api": { "kind": "reverse", "remotePort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d }
                        """.formatted(web.port())));
                LauncherProcess.Result reloaded = LauncherProcess.run("reload", "-S", socket.toString());
                assertEquals(0, reloaded.exit(), reloaded.stderr());
                assertTrue(reloaded.stdout().contains("removed a/socks") && reloaded.stdout().contains("added a/web")
                        && reloaded.stdout().contains("switched on a/spare"), reloaded.stdout());
                JsonNode after = StatusJson.of(socket);
                assertEquals("READY", StatusJson.forward(after, "a", "spare").get("state").asString());
                int webPort = port(StatusJson.forward(after, "a", "web").get("connectTo").asString());
                assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + webPort + "/"));
                assertFalse(after.toString().contains("\"socks\""), after.toString());

                // A bad file is refused whole: nothing changes.
                Files.writeString(file, "{ \"servers\": { \"a\": { \"host\": \"127.0.0.1\", \"port\": 70000 } } }");
                LauncherProcess.Result refused = LauncherProcess.run("reload", "-S", socket.toString());
                assertEquals(255, refused.exit());
                assertTrue(refused.stderr().contains("caret.json:1:") && refused.stderr().contains("port"), refused.stderr());
                assertEquals(StatusJson.of(socket).get("servers").size(), after.get("servers").size());
                assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + webPort + "/"));

                steady.setSoTimeout(10_000);
                assertEquals(4096 + ":" + Traffic.expected(4, 4096), Traffic.echo(steady, 4, 4096), "db never paused");
            }
            LauncherProcess.Result exit = LauncherProcess.run("-S", socket.toString(), "-O", "exit");
            assertEquals(0, exit.exit(), exit.stderr());
            assertTrue(caret.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, caret.exitValue());
        } finally {
            caret.destroy();
            caret.waitFor(20, TimeUnit.SECONDS);
        }
        String log = LauncherProcess.read(stderr);
        assertTrue(log.contains("[db] ready on"), "a -v log: " + log);
        assertFalse(log.contains(PASSWORD), "the SOCKS password from the file reached the log");
        assertFalse(LauncherProcess.read(events).contains(PASSWORD), "the SOCKS password reached the event hook");
    }


    @Test
    void everyFailureIsExplainedInStatusAndInTheLog() throws Exception {
        Path emptyKnownHosts = Files.writeString(dir.resolve("known_hosts-empty"), "");
        Path strangerKey = dir.resolve("stranger");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", strangerKey.toString())
                .redirectErrorStream(true).start();
        assertTrue(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0);
        int closed = Fixtures.closedPort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path file = dir.resolve("failures.json");
            Files.writeString(file, """
                    {
                      "servers": {
                        "a": %s, "forwards": {
                          "taken": { "kind": "local", "spec": "%d:127.0.0.1:%d" },
                          "nothing": { "kind": "local", "spec": "0:127.0.0.1:%d" } } },
                        "unknown-key": { "host": "127.0.0.1", "port": %d, "user": "%s", "identities": ["%s"],
                          "knownHosts": ["%s"], "hostKeyPolicy": "yes" },
                        "wrong-key": { "host": "127.0.0.1", "port": %d, "user": "%s", "identities": ["%s"],
                          "knownHosts": ["%s"], "hostKeyPolicy": "yes" }
                      }
                    }
                    """.formatted(server(a), taken.getLocalPort(), echo.port(), closed,
                    b.port(), b.user(), b.userKey(), emptyKnownHosts,
                    b.port(), b.user(), strangerKey, b.knownHosts()));
            Path socket = dir.resolve("failures.sock");
            Path stderr = dir.resolve("failures.err");
            Process caret = LauncherProcess.launch(List.of("up", "-S", socket.toString(), file.toString()), stderr);
            try {
                int nothing = LauncherProcess.readyPorts(caret, 1, stderr).get("nothing");
                try (Socket refused = Fixtures.connect(new Endpoint("127.0.0.1", nothing))) {
                    assertEquals(-1, refused.getInputStream().read(), "closed: nothing listens there");
                }
                Await.until("every failure in status", Duration.ofSeconds(30), () -> everyFailureShown(socket));
                JsonNode status = StatusJson.of(socket);
                JsonNode takenStatus = StatusJson.forward(status, "a", "taken");
                assertEquals("FAILED", takenStatus.get("state").asString());
                assertTrue(takenStatus.get("lastError").asString().contains("Local port " + taken.getLocalPort()
                        + " is already in use on 127.0.0.1: choose another local port"), takenStatus.toString());
                JsonNode nothingStatus = StatusJson.forward(status, "a", "nothing");
                assertEquals("READY", nothingStatus.get("state").asString(), "a refused destination leaves the forward up");
                assertTrue(nothingStatus.get("lastError").asString().contains("nothing listens on 127.0.0.1:" + closed),
                        nothingStatus.toString());
                String unknown = StatusJson.server(status, "unknown-key").get("lastError").asString();
                assertTrue(unknown.contains("is not known"), unknown);
                String denied = StatusJson.server(status, "wrong-key").get("lastError").asString();
                assertTrue(denied.contains("Permission denied"), denied);
                assertEquals("RECONNECTING", StatusJson.server(status, "wrong-key").get("state").asString());

                String log = Files.readString(stderr);
                for (String said : List.of("already in use", "nothing listens on 127.0.0.1:" + closed, "is not known", "Permission denied")) {
                    assertTrue(log.contains(said), "the log says '" + said + "': " + log);
                }
                String table = LauncherProcess.run("status", "-S", socket.toString()).stdout();
                assertTrue(table.contains("failed: ") && table.contains("is not known"), table);
            } finally {
                caret.destroy();
                caret.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean everyFailureShown(Path socket) {
        try {
            JsonNode status = StatusJson.of(socket);
            return StatusJson.forward(status, "a", "nothing").hasNonNull("lastError")
                    && StatusJson.server(status, "wrong-key").hasNonNull("lastError")
                    && StatusJson.server(status, "unknown-key").get("state").asString().equals("FAILED");
        } catch (Exception | AssertionError notYet) {
            return false;
        }
    }

    @Test
    void aServerBehindAJumpHostComesUp() throws Exception {
        Path file = dir.resolve("jump.json");
        Files.writeString(file, """
                {
                  "servers": {
                    "behind": { "host": "127.0.0.1", "port": %d, "user": "%s", "identities": ["%s", "%s"],
                      "knownHosts": ["%s", "%s"], "hostKeyPolicy": "yes", "proxyJump": "%s@127.0.0.1:%d",
                      "forwards": { "db": { "kind": "local", "spec": "0:127.0.0.1:%d" } } }
                  }
                }
                """.formatted(b.port(), b.user(), b.userKey(), a.userKey(), b.knownHosts(), a.knownHosts(), a.user(), a.port(),
                echo.port()));
        Path socket = dir.resolve("jump.sock");
        Path stderr = dir.resolve("jump.err");
        Process caret = LauncherProcess.launch(List.of("up", "-S", socket.toString(), file.toString()), stderr);
        try {
            assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", LauncherProcess.readyPorts(caret, 1, stderr).get("db"))));
            assertTrue(a.hasConnections(), "through the jump host");
        } finally {
            caret.destroy();
            caret.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBadFileIsRefusedWholeAndStartsNothing() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {
                  "servers": {
                    "a": { "host": "127.0.0.1", "port": %d, "forwards": {
                      "db": { "kind": "local", "localPort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d },
                      "bad": { "kind": "local", "localPort": 70000, "destinationHost": "127.0.0.1", "destinationPort": 80 } } }
                  }
                }
                """.formatted(a.port(), echo.port()));
        Path socket = dir.resolve("bad.sock");
        LauncherProcess.Result result = LauncherProcess.run("up", "-S", socket.toString(), file.toString());
        assertEquals(2, result.exit());
        assertTrue(result.stderr().contains("bad.json:5:") && result.stderr().contains("$.servers.a.forwards.bad.localPort"),
                result.stderr());
        assertFalse(result.stdout().contains("ready"), result.stdout());
        assertFalse(Files.exists(socket));
    }

    private String config(int downPort, String forwardsOfA, String forwardsOfB) {
        return """
                {
                  "servers": {
                    "a": %s, "forwards": { %s } },
                    "b": %s, "transport": "jsch", "forwards": { %s } },
                    "gone": { "host": "127.0.0.1", "port": %d, "hostKeyPolicy": "yes", "connectTimeout": 5,
                              "forwards": { "never": { "kind": "local", "spec": "0:127.0.0.1:80" } } }
                  }
                }
                """.formatted(server(a), forwardsOfA, server(b), forwardsOfB, downPort);
    }

    /** The opening of a server's entry, without its closing brace. */
    private static String server(OpenSshServer sshd) {
        return "{ \"host\": \"127.0.0.1\", \"port\": %d, \"user\": \"%s\", \"identities\": [\"%s\"], \"knownHosts\": [\"%s\"], \"hostKeyPolicy\": \"yes\", \"keepaliveInterval\": 0"
                .formatted(sshd.port(), sshd.user(), sshd.userKey(), sshd.knownHosts());
    }

    private static int port(String address) {
        Matcher matcher = Pattern.compile(":(\\d+)$").matcher(address);
        assertTrue(matcher.find(), address);
        return Integer.parseInt(matcher.group(1));
    }

}
