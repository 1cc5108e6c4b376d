package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real launcher with a real sshd, driven through its control socket the way people do it:
 * {@code caret status}, {@code on}, {@code off}, {@code add}, {@code remove}, and OpenSSH's
 * {@code -O check|forward|cancel|exit}; then killing the sshd and watching the launcher reconnect,
 * say so, run the {@code --on-event} hook, and carry bytes again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlSocketTest {

    private static final Pattern CONNECT_TO = Pattern.compile("connect to 127\\.0\\.0\\.1:(\\d+)");

    Path dir;
    OpenSshServer sshd;
    EchoServer echo;

    @BeforeAll
    void start(@TempDir Path dir) {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        echo = EchoServer.start();
    }

    @AfterAll
    void stop() {
        echo.close();
        sshd.close();
    }

    @Test
    void forwardsAreSwitchedAddedAndRemovedLiveWithoutDisturbingEachOther() throws Exception {
        Path socket = dir.resolve("ctl/one");
        Path stderr = dir.resolve("one.err");
        Process caret = LauncherProcess.launch(args(socket, "-L", "0:" + echo.endpoint()), stderr);
        try {
            List<String> seen = new ArrayList<>();
            int first = Integer.parseInt(LauncherProcess.readyPort(caret, seen, stderr));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

            LauncherProcess.Result check = control("-S", socket.toString(), "-O", "check", "127.0.0.1");
            assertEquals(0, check.exit(), check.stderr());
            assertTrue(check.stdout().contains("Caret running (pid=" + caret.pid() + "): 127.0.0.1:" + sshd.port() + " connected"),
                    check.stdout());

            // -O forward: a second forward on the live connection; the first keeps carrying bytes throughout.
            try (Socket steady = Fixtures.connect(new Endpoint("127.0.0.1", first))) {
                LauncherProcess.Result added = control("-S", socket.toString(), "-O", "forward", "-L", "0:" + echo.endpoint(), "127.0.0.1");
                assertEquals(0, added.exit(), added.stderr());
                int second = port(added.stdout());
                assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", second)));

                LauncherProcess.Result named = control("add", "-S", socket.toString(), "--name", "web", "-L", "0:" + echo.endpoint());
                assertEquals(0, named.exit(), named.stderr());
                assertTrue(named.stdout().startsWith("127.0.0.1:" + sshd.port() + "/web is on: connect to 127.0.0.1:"), named.stdout());
                int web = port(named.stdout());
                assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", web)));

                LauncherProcess.Result off = control("off", "-S", socket.toString(), "web");
                assertEquals(0, off.exit(), off.stderr());
                assertFree(web);
                JsonNode status = StatusJson.of(socket);
                JsonNode webStatus = StatusJson.forward(status, "web");
                assertEquals("OFF", webStatus.get("state").asString());

                assertEquals(0, control("on", "-S", socket.toString(), "web").exit());
                assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", port(control("on", "-S", socket.toString(), "web").stdout()))));

                LauncherProcess.Result ambiguous = control("-S", socket.toString(), "-O", "cancel", "-L", "0:" + echo.endpoint(), "127.0.0.1");
                assertEquals(255, ambiguous.exit());
                assertTrue(ambiguous.stderr().contains("matches several forwards"), ambiguous.stderr());
                LauncherProcess.Result cancelled = control("-S", socket.toString(), "-O", "cancel", "-L", Integer.toString(second), "127.0.0.1");
                assertEquals(0, cancelled.exit(), cancelled.stderr());
                assertTrue(cancelled.stdout().startsWith("Cancelled "), cancelled.stdout());
                assertFree(second);

                assertEquals(0, control("remove", "-S", socket.toString(), "web").exit());
                assertFree(web);
                LauncherProcess.Result gone = control("on", "-S", socket.toString(), "web");
                assertEquals(255, gone.exit());
                assertTrue(gone.stderr().contains("No forward 'web'"), gone.stderr());

                steady.setSoTimeout(10_000);
                assertEquals(4096 + ":" + Traffic.expected(9, 4096), Traffic.echo(steady, 9, 4096), "the first forward never paused");
            }

            LauncherProcess.Result table = control("status", "-S", socket.toString());
            assertEquals(0, table.exit(), table.stderr());
            assertTrue(table.stdout().contains("connected"), table.stdout());
            assertTrue(table.stdout().contains("FORWARD") && table.stdout().contains("CONNECT TO"), table.stdout());
            assertTrue(table.stdout().contains("127.0.0.1:" + first), table.stdout());

            Process watch = LauncherProcess.command(List.of("status", "--watch", "-S", socket.toString())).start();
            try {
                java.io.BufferedReader frames = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream()));
                int headers = 0;
                for (String line; headers < 2 && (line = frames.readLine()) != null; ) {
                    headers += line.contains("FORWARD") && line.contains("CONNECT TO") ? 1 : 0;
                }
                assertEquals(2, headers, "--watch prints the status again and again");
                assertTrue(watch.isAlive(), "--watch runs until interrupted");
            } finally {
                watch.destroy();
                watch.waitFor(20, TimeUnit.SECONDS);
            }

            LauncherProcess.Result exit = control("-S", socket.toString(), "-O", "exit", "127.0.0.1");
            assertEquals(0, exit.exit(), exit.stderr());
            assertTrue(caret.waitFor(30, TimeUnit.SECONDS), "caret did not exit");
            assertEquals(0, caret.exitValue());
            assertFalse(Files.exists(socket), "the socket file is removed on exit");
        } finally {
            caret.destroy();
            caret.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKilledServerIsReconnectedSaidAndHookedAndTheForwardCarriesBytesAgain() throws Exception {
        Path socket = dir.resolve("ctl/two");
        Path stderr = dir.resolve("two.err");
        Path events = dir.resolve("events.jsonl");
        OpenSshServer own = OpenSshServer.start(dir.resolve("own"));
        Process caret = null;
        try {
            List<String> args = new ArrayList<>(List.of("-S", socket.toString(), "--on-event", "cat >> '" + events + "'",
                    "-p", Integer.toString(own.port()), "-i", own.userKey().toString(),
                    "-o", "UserKnownHostsFile=" + own.knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                    "-L", "0:" + echo.endpoint(), own.user() + "@127.0.0.1"));
            caret = LauncherProcess.launch(args, stderr);
            int port = Integer.parseInt(LauncherProcess.readyPort(caret, new ArrayList<>(), stderr));
            assertTrue(Traffic.roundTrips(new Endpoint("127.0.0.1", port)));

            own.kill();
            Await.until("the outage said", Duration.ofSeconds(30), () -> LauncherProcess.read(stderr).contains("retrying in"));
            assertTrue(LauncherProcess.read(stderr).matches("(?s).*Connection to 127\\.0\\.0\\.1:" + own.port() + " lost: .*; retrying in \\d+ s, attempt 1.*"),
                    LauncherProcess.read(stderr));
            JsonNode waiting = StatusJson.forward(StatusJson.of(socket), "local 0:" + echo.endpoint());
            assertEquals("WAITING", waiting.get("state").asString());
            assertFree(port, false);

            own = own.restart();
            long back = System.nanoTime();
            Await.until("forward back", Duration.ofSeconds(5), () -> Traffic.roundTrips(new Endpoint("127.0.0.1", port)));
            assertTrue(Duration.ofNanos(System.nanoTime() - back).toMillis() <= 5_000);
            Await.until("the return said", Duration.ofSeconds(10), () -> LauncherProcess.read(stderr).contains("connected again"));

            Await.until("the hook ran for down, then up", Duration.ofSeconds(30), () -> downThenUp(events));
            JsonNode down = JsonMapper.builder().build().readTree(LauncherProcess.read(events).lines()
                    .filter(l -> l.contains("\"event\":\"down\"")).findFirst().orElseThrow());
            assertEquals("127.0.0.1:" + own.port(), down.get("server").asString());
            assertTrue(down.get("reason").asString().contains("lost"), down.toString());
        } finally {
            if (caret != null) {
                caret.destroy();
                caret.waitFor(20, TimeUnit.SECONDS);
            }
            own.close();
        }
    }

    @Test
    void aSocksPasswordGivenLiveNeverShowsInStatusJsonOrTheVerboseLog() throws Exception {
        Path socket = dir.resolve("ctl/three");
        Path stderr = dir.resolve("three.err");
        String password = "live-" + Long.toHexString(System.nanoTime()) + "-secret";
        List<String> launch = new ArrayList<>(List.of("-vvv"));
        launch.addAll(args(socket, "-L", "0:" + echo.endpoint()));
        Process caret = LauncherProcess.launch(launch, stderr);
        try {
            LauncherProcess.readyPort(caret, new ArrayList<>(), stderr);
            ProcessBuilder add = LauncherProcess.command(List.of("add", "-S", socket.toString(), "--name", "socks",
                    "--socks-user", "alice", "-D", "0"));
            add.environment().put(SocksPassword.ENVIRONMENT, password);
            Process adding = add.start();
            String reply = LauncherProcess.read(adding.getInputStream());
            assertTrue(adding.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, adding.exitValue(), reply + LauncherProcess.read(adding.getErrorStream()));
            String proxy = "127.0.0.1:" + port(reply);
            WebPage web = WebPage.start();
            try {
                String page = "http://127.0.0.1:" + web.port() + "/";
                assertEquals(WebPage.BODY, Curl.fetch("--proxy", "socks5h://alice:" + password + "@" + proxy, page));
                assertNotEquals(0, Curl.run("--proxy", "socks5h://alice:wrong@" + proxy, page).exit());
            } finally {
                web.close();
            }
            String json = control("status", "--json", "-S", socket.toString()).stdout();
            String table = control("status", "-S", socket.toString()).stdout();
            assertTrue(json.contains("\"name\" : \"socks\""), json);
            assertFalse(json.contains(password), json);
            assertFalse(table.contains(password), table);
        } finally {
            caret.destroy();
            caret.waitFor(20, TimeUnit.SECONDS);
        }
        String log = LauncherProcess.read(stderr);
        assertTrue(log.lines().count() > 50, "expected a -vvv log");
        assertFalse(log.contains(password), "the SOCKS password reached the log");
    }

    @Test
    void anotherUserIsRefusedByTheSocketModeAndByItsCredentials() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "needs root and runuser to act as a second user");
        Path open = Files.createTempDirectory("caret-peer");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = open.resolve("control");
        Path probe = open.resolve("Probe.java");
        Files.writeString(probe, """
                import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.charset.*;
                public class Probe { public static void main(String[] a) throws Exception {
                  try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(a[0]));
                    c.write(ByteBuffer.wrap("{\\"op\\":\\"status\\"}\\n".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer b = ByteBuffer.allocate(65536); while (c.read(b) > 0) { }
                    System.out.print(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                  } catch (Exception e) { System.out.print("FAILED " + e.getMessage()); } } }
                """);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
        Path stderr = dir.resolve("peer.err");
        Process caret = LauncherProcess.launch(args(socket, "-L", "0:" + echo.endpoint()), stderr);
        try {
            LauncherProcess.readyPort(caret, new ArrayList<>(), stderr);
            Await.until("the control socket", () -> Files.exists(socket));
            String asNobody = runAsNobody(probe, socket);
            assertTrue(asNobody.startsWith("FAILED") && asNobody.contains("Permission denied"), asNobody);

            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-")); // a careless chmod
            String refused = runAsNobody(probe, socket);
            assertTrue(refused.contains("\"ok\":false") && refused.contains("Refused: this Caret belongs to root"), refused);
            Await.until("the refusal logged", () -> LauncherProcess.read(stderr).contains("refused a connection from user nobody"));
            assertTrue(control("status", "-S", socket.toString()).stdout().contains("connected"), "its own user still gets in");
        } finally {
            caret.destroy();
            caret.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String runAsNobody(Path probe, Path socket) throws Exception {
        Process process = new ProcessBuilder("/usr/sbin/runuser", "-u", "nobody", "--",
                LauncherProcess.jdkTool("java").toString(), probe.toString(), socket.toString())
                .redirectErrorStream(true).start();
        String output = LauncherProcess.read(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return output;
    }

    private List<String> args(Path socket, String... forwards) {
        List<String> all = new ArrayList<>(List.of("-S", socket.toString(), "-p", Integer.toString(sshd.port()),
                "-i", sshd.userKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"));
        all.addAll(List.of(forwards));
        all.add(sshd.user() + "@127.0.0.1");
        return all;
    }

    private static LauncherProcess.Result control(String... args) throws Exception {
        return LauncherProcess.run(args);
    }

    private static int port(String reply) {
        Matcher matcher = CONNECT_TO.matcher(reply);
        assertTrue(matcher.find(), reply);
        return Integer.parseInt(matcher.group(1));
    }

    private static void assertFree(int port) throws IOException {
        assertFree(port, true);
    }

    /** Whether the port can be bound here: free after off, held through an outage. */
    private static void assertFree(int port, boolean free) throws IOException {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertTrue(free, "port " + port + " should still be held by Caret");
        } catch (java.net.BindException taken) {
            assertFalse(free, "port " + port + " should be free");
        }
    }


    /** Whether the hook got a "down" and then an "up". */
    private static boolean downThenUp(Path events) {
        List<String> lines = LauncherProcess.read(events).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"event\":\"down\"")) {
                return lines.subList(i, lines.size()).stream().anyMatch(line -> line.contains("\"event\":\"up\""));
            }
        }
        return false;
    }
}
