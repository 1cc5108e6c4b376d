package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration reader and its JSON Schema validator load from the launcher's real module path,
 * {@code java -p target/classes:target/mods/* -m caret.launcher/…}, as {@code ./caret} runs: a
 * dependency that is missing there, or not a module, fails here and not only in production.
 */
class ConfigOnTheModulePathTest {

    @TempDir
    Path folder;

    private LauncherProcess.Result readConfig(String json) throws Exception {
        Path file = Files.writeString(folder.resolve("caret.json"), json);
        List<String> command = List.of(LauncherProcess.jdkTool("java").toString(), "-Xmx256m",
                "-p", String.join(File.pathSeparator, LauncherProcess.modules().stream().map(Path::toString).toList()),
                "--patch-module", "caret.launcher=" + Path.of("target", "test-classes").toAbsolutePath(),
                "-m", "caret.launcher/caret.launcher.ReadConfig", file.toString());
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> LauncherProcess.read(process.getErrorStream()));
        String stdout = LauncherProcess.read(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the reader did not exit: " + stdout);
        return new LauncherProcess.Result(process.exitValue(), stdout, stderr.get(10, TimeUnit.SECONDS));
    }

    @Test
    void readsAGoodFileWithTheEnginesPlugins() throws Exception {
        LauncherProcess.Result result = readConfig("""
                {"servers": {"db": {"host": "db.example.com", "forwards": {
                  "pg": {"kind": "local", "localPort": 5432, "destinationHost": "127.0.0.1", "destinationPort": 5432},
                  "socks": {"kind": "dynamic", "spec": "1080"}
                }}}}
                """);

        assertEquals(new LauncherProcess.Result(0, "db pg local 5432:127.0.0.1:5432\ndb socks dynamic 1080\n", ""), result);
    }

    @Test
    void refusesABadFileWithTheSchemasWords() throws Exception {
        LauncherProcess.Result result = readConfig("{\"servers\": {\"db\": {\"host\": \"h\", \"port\": 70000}}}");

        assertEquals(1, result.exit(), result.toString());
        assertTrue(result.stdout().contains("caret.json:1:42 at $.servers.db.port: 70000 is out of range; use a port from 1 to 65535"), result.stdout());
        assertEquals("", result.stderr(), "nothing logged on the way");
    }
}
