package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.testkit.OpenSshServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forward type written outside the project, compiled and packed into a jar here, dropped into a
 * plugin folder, and used by the real launcher without rebuilding anything: the HTTP CONNECT proxy
 * of docs/writing-a-plugin.md, which curl then uses through a real sshd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginFolderTest {

    private static final Path EXAMPLE = Path.of("..", "docs", "plugin-example");

    Path dir;
    OpenSshServer sshd;
    WebPage web;
    Path plugins;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        web = WebPage.start();
        plugins = Files.createDirectories(dir.resolve("plugins"));
        buildJar(EXAMPLE, plugins.resolve("http-proxy.jar"));
    }

    @AfterAll
    void stop() {
        if (web != null) {
            web.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void aForwardTypeFromThePluginFolderCarriesRealBytes() throws Exception {
        Path stderr = dir.resolve("caret.err");
        Process caret = LauncherProcess.launch(List.of("--plugin-path", plugins.toString(), "-N",
                "-p", Integer.toString(sshd.port()), "-i", sshd.userKey().toString(),
                "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "--forward", "http-proxy=0", sshd.user() + "@127.0.0.1"), stderr);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null, "no output; stderr: " + Files.readString(stderr));
            Matcher ready = Pattern.compile("^http-proxy 0 ready: connect to (127\\.0\\.0\\.1:\\d+)$").matcher(line);
            assertTrue(ready.find(), line + "; stderr: " + Files.readString(stderr));
            String page = Curl.fetch("--proxytunnel", "--proxy", "http://" + ready.group(1), "http://127.0.0.1:" + web.port() + "/");
            assertEquals(WebPage.BODY, page);
        } finally {
            caret.destroy();
            assertTrue(caret.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void pluginsListsItWithItsModuleAndJar() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("plugins", "--plugin-path", plugins.toString());
        assertEquals(0, result.exit(), result.stdout() + result.stderr());
        assertTrue(result.stdout().lines().anyMatch(l -> l.startsWith("forward type  http-proxy")
                && l.contains("com.example.httpproxy") && l.endsWith(plugins.resolve("http-proxy.jar").toString())), result.stdout());
    }

    @Test
    void brokenJarsAreExplainedAndTheRestStillLoads(@TempDir Path broken) throws Exception {
        Files.copy(plugins.resolve("http-proxy.jar"), broken.resolve("http-proxy.jar"));
        Files.write(broken.resolve("garbage.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
        buildJar(write(broken.resolve("src-quiet"), "com.example.quiet", "module com.example.quiet { requires caret.spi; }"),
                broken.resolve("quiet.jar"));
        buildJar(write(broken.resolve("src-clash"), "com.example.clash", """
                module com.example.clash {
                    requires caret.spi;
                    provides caret.spi.ForwardType with com.example.clash.Local;
                }"""), broken.resolve("clash.jar"));

        LauncherProcess.Result result = LauncherProcess.run("plugins", "--plugin-path", broken.toString());
        String out = result.stdout();
        assertEquals(1, result.exit(), out + result.stderr());
        assertTrue(out.contains("ERROR: Plugin jar " + broken.resolve("garbage.jar") + " is broken: "), out);
        assertTrue(out.contains("WARNING: Plugin jar " + broken.resolve("quiet.jar") + " (module com.example.quiet) provides no"
                + " forward type or transport"), out);
        assertTrue(out.contains("ERROR: Plugin com.example.clash (" + broken.resolve("clash.jar") + ") claims the forward type id"
                + " 'local', which is built in (caret.plugin.local): the plugin's is skipped. Give it another id."), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("forward type  http-proxy")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("forward type  local ") && l.contains("caret.plugin.local")), out);
    }

    /** Writes a module with one class, a forward type named {@code Local} claiming the built-in id 'local'. */
    private static Path write(Path root, String module, String moduleInfo) throws IOException {
        Path source = Files.createDirectories(root.resolve(module.replace('.', '/')));
        Files.writeString(root.resolve("module-info.java"), moduleInfo);
        Files.writeString(source.resolve("Local.java"), """
                package %s;

                public final class Local implements caret.spi.ForwardType {
                    public String id() { return "local"; }
                    public String description() { return "an impostor"; }
                    public String usage() { return "port"; }
                    public caret.spi.ForwardSpec parse(String text) { return new caret.spi.ForwardSpec("local", text, null, 0, null); }
                    public caret.spi.RunningForward start(caret.spi.ForwardSpec spec, caret.spi.ForwardContext context) {
                        throw new UnsupportedOperationException();
                    }
                }
                """.formatted(module));
        return root;
    }

    /** javac and jar from the JDK running the tests, against the caret-spi jar only, as a plugin author builds. */
    private void buildJar(Path sources, Path jar) throws Exception {
        Path classes = Files.createTempDirectory(dir, "classes");
        Path spi = LauncherProcess.modules().stream().filter(p -> p.getFileName().toString().startsWith("caret-spi"))
                .findFirst().orElseThrow();
        List<String> javac = new ArrayList<>(List.of(LauncherProcess.jdkTool("javac").toString(), "--release", "25",
                "-p", spi.toString(), "-d", classes.toString()));
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).forEach(javac::add);
        }
        exec(javac);
        exec(List.of(LauncherProcess.jdkTool("jar").toString(), "--create", "--file", jar.toString(), "-C", classes.toString(), "."));
    }

    private static void exec(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = LauncherProcess.read(process.getInputStream());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, process.exitValue(), command + ": " + output);
    }
}
