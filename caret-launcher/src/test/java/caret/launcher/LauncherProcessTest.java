package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.testkit.OpenSshServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as people run it: a real {@code java -p … -m caret.launcher} process, against a real
 * sshd, checked by what it prints, its exit code, and bytes through its forwards. Catches what tests
 * inside one JVM cannot: a module missing from the module path, a package not opened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherProcessTest {

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
    void forwardsARealPageAndPrintsWhereToConnect() throws Exception {
        Path stderr = dir.resolve("caret.err");
        Process caret = LauncherProcess.launch(sshArgs("-N", "-v", "-L", "0:127.0.0.1:" + web.port()), stderr);
        try {
            List<String> seen = new ArrayList<>();
            String port = LauncherProcess.readyPort(caret, seen, stderr);
            assertTrue(seen.contains("Allocated port " + port + " for local forward to 127.0.0.1:" + web.port()), seen::toString);
            try {
                assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + port + "/"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; caret said: " + Files.readString(stderr), e);
            }
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS), "caret did not stop on SIGTERM");
        }
    }

    @Test
    void aKeyPassphraseFromAskpassNeverReachesTheOutputEvenWithVvv() throws Exception {
        String passphrase = "pass-" + Long.toHexString(System.nanoTime()) + "-phrase";
        Path key = dir.resolve("id_encrypted");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", key.toString())
                .redirectErrorStream(true).start();
        assertTrue(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0);
        sshd.authorize(Path.of(key + ".pub"));
        Path askpass = dir.resolve("askpass.sh");
        Files.writeString(askpass, "#!/bin/sh\necho '" + passphrase + "'\n");
        askpass.toFile().setExecutable(true);

        Path stderr = dir.resolve("secret.err");
        List<String> args = new ArrayList<>(List.of("-vvv", "-N", "-p", Integer.toString(sshd.port()), "-i", key.toString(),
                "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-L", "0:127.0.0.1:" + web.port(), sshd.user() + "@127.0.0.1"));
        ProcessBuilder builder = LauncherProcess.command(args).redirectError(stderr.toFile());
        builder.environment().put("SSH_ASKPASS", askpass.toString());
        builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
        Process caret = builder.start();
        List<String> stdout = new ArrayList<>();
        try {
            String port = LauncherProcess.readyPort(caret, stdout, stderr); // fails if the encrypted key did not log in
            assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + port + "/"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
        String log = Files.readString(stderr);
        assertTrue(log.lines().count() > 50, "expected a -vvv log, got: " + log);
        assertTrue(!log.contains(passphrase) && !String.join("\n", stdout).contains(passphrase), "the passphrase was printed");
    }

    @Test
    void theSocksPasswordNeverReachesTheOutputEvenWithVvv() throws Exception {
        String password = "socks-" + Long.toHexString(System.nanoTime()) + "-secret";
        String wrong = "guess-" + Long.toHexString(System.nanoTime()) + "-secret";
        Path stdout = dir.resolve("socks.out");
        Path stderr = dir.resolve("socks.err");
        List<String> args = new ArrayList<>(List.of("-vvv", "-N", "--socks-user", "alice", "-D", "0", "-p", Integer.toString(sshd.port()),
                "-i", sshd.userKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", sshd.user() + "@127.0.0.1"));
        ProcessBuilder builder = LauncherProcess.command(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().put(SocksPassword.ENVIRONMENT, password);
        Process caret = builder.start();
        try {
            String proxy = "127.0.0.1:" + readyPort(caret, stdout, stderr);
            String commandLine = caret.info().commandLine().orElseThrow();
            assertTrue(commandLine.contains("--socks-user alice") && !commandLine.contains(password), commandLine);
            String page = "http://127.0.0.1:" + web.port() + "/";
            assertEquals(WebPage.BODY, Curl.fetch("--proxy", "socks5h://alice:" + password + "@" + proxy, page));
            Curl.Result refused = Curl.run("--proxy", "socks5h://alice:" + wrong + "@" + proxy, page);
            assertNotEquals(0, refused.exit(), refused.output());
            Await.until("the failed authentication is logged", Duration.ofSeconds(30),
                    () -> contains(stderr, "SOCKS5 authentication failed for user 'alice': wrong password"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
        String log = Files.readString(stderr);
        String out = Files.readString(stdout);
        assertTrue(log.lines().count() > 50, "expected a -vvv log, got: " + log);
        for (String secret : List.of(password, wrong)) {
            assertFalse(log.contains(secret), "a SOCKS password was logged");
            assertFalse(out.contains(secret), "a SOCKS password was printed");
        }
    }

    @Test
    void asksForTheSocksPasswordWhenTheEnvironmentHasNone() throws Exception {
        String password = "asked-" + Long.toHexString(System.nanoTime());
        Path prompts = dir.resolve("prompts.txt");
        Path askpass = dir.resolve("socks-askpass.sh");
        Files.writeString(askpass, "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + prompts + "'\necho '" + password + "'\n");
        askpass.toFile().setExecutable(true);
        Path stdout = dir.resolve("asked.out");
        Path stderr = dir.resolve("asked.err");
        List<String> args = List.of("-N", "--socks-user", "bob", "-D", "0", "-p", Integer.toString(sshd.port()),
                "-i", sshd.userKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                sshd.user() + "@127.0.0.1");
        ProcessBuilder builder = LauncherProcess.command(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().remove(SocksPassword.ENVIRONMENT);
        builder.environment().put("SSH_ASKPASS", askpass.toString());
        builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
        Process caret = builder.start();
        try {
            String proxy = "127.0.0.1:" + readyPort(caret, stdout, stderr);
            assertEquals(List.of("SOCKS password for bob: "), Files.readAllLines(prompts));
            assertEquals(WebPage.BODY, Curl.fetch("--proxy", "socks5h://bob:" + password + "@" + proxy,
                    "http://127.0.0.1:" + web.port() + "/"));
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void socksUserWithNoOneToAskExits2SayingToSetTheVariable() throws Exception {
        LauncherProcess.Result result = runWithoutSocksPassword(sshArgs("--socks-user", "alice", "-D", "0"));
        assertEquals(2, result.exit());
        assertTrue(result.stderr().contains("Error: --socks-user alice needs a password and there is no one to ask"
                + " (no terminal, or BatchMode=yes): set the environment variable CARET_SOCKS_PASSWORD to it"), result.stderr());

        LauncherProcess.Result noProxy = runWithoutSocksPassword(sshArgs("--socks-user", "alice", "-L", "0:127.0.0.1:80"));
        assertEquals(2, noProxy.exit());
        assertTrue(noProxy.stderr().contains("Error: --socks-user is for dynamic forwards, and none is given"), noProxy.stderr());
    }

    private static LauncherProcess.Result runWithoutSocksPassword(List<String> args) throws Exception {
        ProcessBuilder builder = LauncherProcess.command(args);
        builder.environment().remove(SocksPassword.ENVIRONMENT);
        builder.environment().remove("SSH_ASKPASS");
        Process process = builder.start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> LauncherProcess.read(process.getErrorStream()));
        String stdout = LauncherProcess.read(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "caret did not exit: " + stdout);
        return new LauncherProcess.Result(process.exitValue(), stdout, stderr.get(10, TimeUnit.SECONDS));
    }

    /** Waits for the launcher's ready line in the file its standard output goes to, and returns the port. */
    private static String readyPort(Process caret, Path stdout, Path stderr) {
        Pattern ready = Pattern.compile("ready: connect to 127\\.0\\.0\\.1:(\\d+)");
        Await.until("a ready line in " + stdout, Duration.ofSeconds(60), () -> ready.matcher(LauncherProcess.read(stdout)).find()
                || !caret.isAlive());
        Matcher matcher = ready.matcher(LauncherProcess.read(stdout));
        assertTrue(matcher.find(), () -> "no ready line; stdout: " + LauncherProcess.read(stdout) + "; stderr: " + LauncherProcess.read(stderr));
        return matcher.group(1);
    }

    private static boolean contains(Path file, String text) {
        return LauncherProcess.read(file).contains(text);
    }


    @Test
    void withoutReconnectExits255SayingWhyWhenTheServerGoesAway(@TempDir Path other) throws Exception {
        OpenSshServer doomed = OpenSshServer.start(other);
        try {
            Process caret = LauncherProcess.launch(List.of("-N", "-p", Integer.toString(doomed.port()), "-i", doomed.userKey().toString(),
                    "-o", "UserKnownHostsFile=" + doomed.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                    "-o", "CaretReconnect=no", "-D", "0", doomed.user() + "@127.0.0.1"));
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> LauncherProcess.read(caret.getErrorStream()));
            BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.contains("ready: connect to 127.0.0.1:"), line);
            doomed.kill();
            assertTrue(caret.waitFor(60, TimeUnit.SECONDS), "caret did not notice the server was gone");
            assertEquals(255, caret.exitValue());
            assertTrue(stderr.get(10, TimeUnit.SECONDS).contains("Connection to " + doomed.endpoint() + " lost: "), stderr.get());
        } finally {
            doomed.close();
        }
    }

    /**
     * {@code StrictHostKeyChecking=no} takes an unknown key without writing it, and says so at every
     * connection: the first, and again after a reconnect (sshd killed and restarted), not once.
     */
    @Test
    void strictHostKeyCheckingNoWarnsAtEveryConnection(@TempDir Path other) throws Exception {
        Path empty = Files.createFile(other.resolve("empty_known_hosts"));
        Path stderr = other.resolve("no.err");
        OpenSshServer server = OpenSshServer.start(other.resolve("sshd"));
        Process caret = LauncherProcess.launch(List.of("-N", "-p", Integer.toString(server.port()), "-i", server.userKey().toString(),
                "-o", "UserKnownHostsFile=" + empty, "-o", "GlobalKnownHostsFile=" + empty, "-o", "StrictHostKeyChecking=no",
                "-o", "ServerAliveInterval=1", "-D", "0", server.user() + "@127.0.0.1"), stderr);
        String warning = "StrictHostKeyChecking=no: accepting the unverified host key of";
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.contains("ready: connect to 127.0.0.1:"), line);
            assertEquals(1, count(Files.readString(stderr), warning), Files.readString(stderr));
            server.kill();
            server = server.restart();
            Await.until("the warning again at the reconnect", java.time.Duration.ofSeconds(40),
                    () -> count(LauncherProcess.read(stderr), warning) == 2);
            assertEquals("", Files.readString(empty), "the key is not written");
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
            server.close();
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    @Test
    void bindsBeyondLoopbackOnlyWhenAskedAndSaysWhoCanReachThem() throws Exception {
        Path stderr = dir.resolve("wide.err");
        Process caret = LauncherProcess.launch(sshArgs("-N", "-L", "0.0.0.0:0:127.0.0.1:" + web.port(),
                "-R", "*:0:127.0.0.1:" + web.port(), "-D", "0"), stderr);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
            List<String> ready = new ArrayList<>();
            for (String line; ready.size() < 3 && (line = out.readLine()) != null; ) {
                if (line.contains(" ready: ")) {
                    ready.add(line);
                }
            }
            assertTrue(ready.stream().anyMatch(l -> l.startsWith("local ") && l.contains("connect to 0.0.0.0:")), ready::toString);
            assertTrue(ready.stream().anyMatch(l -> l.startsWith("dynamic ") && l.contains("connect to 127.0.0.1:")), ready::toString);
            String log = Files.readString(stderr);
            assertTrue(log.contains("[local 0.0.0.0:0:127.0.0.1:" + web.port() + "] listening on 0.0.0.0:")
                    && log.contains("reachable from other machines"), log);
            assertTrue(log.contains("[reverse *:0:127.0.0.1:" + web.port() + "] " + sshd.endpoint() + " listens on *:")
                    && log.contains("other machines can reach it"), log);
            assertTrue(!log.contains("[dynamic 0]"), "a loopback proxy is not warned about: " + log);
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void keepsAcceptingAfterRunningOutOfFileDescriptors() throws Exception {
        Path stderr = dir.resolve("fds.err");
        List<String> command = new ArrayList<>(LauncherProcess.command(sshArgs("-N", "-L", "0:127.0.0.1:" + web.port())).command());
        ProcessBuilder limited = new ProcessBuilder("bash", "-c", "ulimit -n 160 && exec \"$@\"", "caret");
        limited.command().addAll(command);
        Process caret = limited.redirectError(stderr.toFile()).start();
        List<java.net.Socket> sockets = new ArrayList<>();
        try {
            String port = LauncherProcess.readyPort(caret, new ArrayList<>(), stderr);
            for (int i = 0; i < 200; i++) { // more connections than caret has descriptors for
                java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(port));
                socket.setSoTimeout(200);
                sockets.add(socket);
            }
            Await.until("caret reports it cannot accept", () -> {
                try {
                    return Files.readString(stderr).contains("cannot accept connections on 127.0.0.1:");
                } catch (IOException e) {
                    return false;
                }
            });
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
            String listening = port;
            Await.until("the forward serves again", () -> {
                try {
                    return Curl.fetch("http://127.0.0.1:" + listening + "/").equals(WebPage.BODY);
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
        } finally {
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void malformedSpecExitsNamingItAndTheExpectedForm() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run(sshArgs("-L", "80:db"));
        assertEquals(2, result.exit());
        assertTrue(result.stderr().contains("Bad local forward '80:db': it has 2 fields, not 3 or 4;"
                + " expected [bind_address:]port:host:hostport"), result.stderr());
    }

    @Test
    void unknownOptionExitsListingTheKnownOnes() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run(sshArgs("-o", "ProxyCommand=nc %h %p", "-D", "0"));
        assertEquals(2, result.exit());
        assertTrue(result.stderr().contains("Unknown option -o 'ProxyCommand=nc %h %p': Caret understands BatchMode"), result.stderr());
    }

    @Test
    void unknownHostKeyExits255() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty_known_hosts"));
        LauncherProcess.Result result = LauncherProcess.run("-N", "-p", Integer.toString(sshd.port()), "-i", sshd.userKey().toString(),
                "-o", "UserKnownHostsFile=" + empty, "-o", "GlobalKnownHostsFile=" + empty, "-o", "BatchMode=yes",
                "-D", "0", sshd.user() + "@127.0.0.1");
        assertEquals(255, result.exit());
        assertTrue(result.stderr().contains("is not known: ED25519 SHA256:"), result.stderr());
    }

    @Test
    void exitOnForwardFailureExits255WhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            LauncherProcess.Result result = LauncherProcess.run(sshArgs("-o", "ExitOnForwardFailure=yes", "-L", taken.getLocalPort() + ":127.0.0.1:" + web.port()));
            assertEquals(255, result.exit());
            assertTrue(result.stderr().contains("Local port " + taken.getLocalPort() + " is already in use on 127.0.0.1"), result.stderr());
        }
    }

    @Test
    void demoCheckCarriesThePageThroughAllThreeForwards() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("demo", "--check");
        assertEquals(0, result.exit(), result.stdout() + result.stderr());
        assertTrue(result.stdout().contains("demo check passed"), result.stdout());
        LauncherProcess.Result onJsch = LauncherProcess.run("demo", "--check", "--transport", "jsch");
        assertEquals(0, onJsch.exit(), onJsch.stdout() + onJsch.stderr());
        assertTrue(onJsch.stdout().contains("demo check passed"), onJsch.stdout());
    }

    @Test
    void theStartUpCachesTrainingCarriesItsTrafficThroughTheCommandLinesForwardsToTheEnd() throws Exception {
        // ./caret records its AOT cache from this run; one that fails leaves an empty cache and every start slow
        LauncherProcess.Result result = LauncherProcess.run("demo", "--train");
        assertEquals(0, result.exit(), result.stdout() + result.stderr());
    }

    @Test
    void theTransportIsChosenOnTheCommandLineOrWithAnOption() throws Exception {
        for (List<String> choice : List.of(List.of("--transport", "jsch"), List.of("-o", "CaretTransport=jsch"))) {
            Path stderr = dir.resolve("jsch.err");
            List<String> args = new ArrayList<>(choice);
            args.addAll(List.of("-N", "-v", "-L", "0:127.0.0.1:" + web.port()));
            Process caret = LauncherProcess.launch(sshArgs(args.toArray(String[]::new)), stderr);
            try {
                String port = LauncherProcess.readyPort(caret, new ArrayList<>(), stderr);
                assertEquals(WebPage.BODY, Curl.fetch("http://127.0.0.1:" + port + "/"));
                assertTrue(Files.readString(stderr).contains("connecting to " + sshd.endpoint() + " with jsch"),
                        choice + " did not use JSch: " + Files.readString(stderr));
            } finally {
                caret.destroy();
                assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
            }
        }
        LauncherProcess.Result unknown = LauncherProcess.run(sshArgs("--transport", "nosuch", "-D", "0"));
        assertEquals(2, unknown.exit());
        assertTrue(unknown.stderr().contains("no transport 'nosuch'; available: "), unknown.stderr());
    }

    @Test
    void pluginsListsEveryTypeAndTransport() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("plugins");
        assertEquals(0, result.exit(), result.stdout() + result.stderr());
        for (String module : List.of("caret.plugin.local", "caret.plugin.reverse", "caret.plugin.dynamic", "caret.transport.sshd",
                "caret.transport.jsch")) {
            assertTrue(result.stdout().contains(module), result.stdout());
        }
    }

    private List<String> sshArgs(String... args) {
        List<String> all = new ArrayList<>(List.of("-p", Integer.toString(sshd.port()), "-i", sshd.userKey().toString(),
                "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"));
        all.addAll(List.of(args));
        all.add(sshd.user() + "@127.0.0.1");
        return all;
    }

}
