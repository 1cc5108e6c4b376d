package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Runs the real launcher, {@code java -p target/classes:target/mods/* -m caret.launcher}, as ./caret does. */
final class LauncherProcess {

    private static final Pattern READY = Pattern.compile("ready: connect to 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern READY_LINE = Pattern.compile("(.+) ready: connect to \\S+:(\\d+)( on the server)?");

    private LauncherProcess() {
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static Result run(List<String> args) throws Exception {
        return run(args.toArray(String[]::new));
    }

    static Result run(String... args) throws Exception {
        return run(command(List.of(args)));
    }

    /** Runs {@code command} (from {@link #command}) to its end. */
    static Result run(ProcessBuilder command) throws Exception {
        Process process = command.start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String stdout = read(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "caret did not exit: " + stdout);
        return new Result(process.exitValue(), stdout, stderr.get(10, TimeUnit.SECONDS));
    }

    /**
     * Reads the launcher's standard output until its first {@code ready: connect to 127.0.0.1:PORT}
     * line and returns PORT; every line read goes to {@code seen}. Fails with what was seen and the
     * launcher's log when it ends without one.
     */
    static String readyPort(Process caret, List<String> seen, Path stderr) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
            Matcher ready = READY.matcher(line);
            if (ready.find()) {
                return ready.group(1);
            }
        }
        throw new AssertionError("no ready line in " + seen + "; stderr: " + (stderr == null ? "-" : Files.readString(stderr)));
    }

    /**
     * Reads the launcher's standard output until {@code count} lines {@code FORWARD ready: connect to
     * HOST:PORT} and returns PORT by FORWARD ({@code local 0:127.0.0.1:80}), in the order printed.
     * Fails with what was seen and the launcher's log when it ends before.
     */
    static Map<String, Integer> readyPorts(Process caret, int count, Path stderr) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(caret.getInputStream(), StandardCharsets.UTF_8));
        Map<String, Integer> ready = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        for (String line; ready.size() < count && (line = out.readLine()) != null; ) {
            seen.add(line);
            Matcher matcher = READY_LINE.matcher(line);
            if (matcher.matches()) {
                ready.put(matcher.group(1), Integer.valueOf(matcher.group(2)));
            }
        }
        if (ready.size() < count) {
            throw new AssertionError(count + " ready lines expected, got " + seen + "; stderr: "
                    + (stderr == null ? "-" : Files.readString(stderr)));
        }
        return ready;
    }

    /** What a launcher has written to a file so far; empty while there is no such file. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static Process launch(List<String> args) throws IOException {
        return launch(args, null);
    }

    static Process launch(List<String> args, Path stderr) throws IOException {
        ProcessBuilder builder = command(args);
        if (stderr != null) {
            builder.redirectError(stderr.toFile());
        }
        return builder.start();
    }

    /**
     * The launcher's command with {@code args}, run with an empty home folder of its own, so that a
     * developer's {@code ~/.ssh/config} or {@code ~/.caret/plugins} never changes a test.
     */
    static ProcessBuilder command(List<String> args) throws IOException {
        return command(args, EmptyHome.FOLDER);
    }

    /** The launcher's command with {@code args} and {@code home} as its home folder ({@code user.home}). */
    static ProcessBuilder command(List<String> args, Path home) throws IOException {
        List<String> command = new ArrayList<>(List.of(jdkTool("java").toString(), "-Xmx256m",
                "-Duser.home=" + home.toAbsolutePath(), "-p", modulePath(), "-m", "caret.launcher/caret.launcher.Main"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().remove("CARET_PLUGIN_PATH");
        // Each launch gets its own default control socket folder: never the user's, never another test's.
        builder.environment().put("XDG_RUNTIME_DIR", Files.createTempDirectory("caret-run").toString());
        return builder;
    }

    /** One empty home folder for the runs that do not name theirs, made on first use and removed at exit. */
    private static final class EmptyHome {
        static final Path FOLDER = create();

        private static Path create() {
            try {
                Path folder = Files.createTempDirectory("caret-test-home");
                folder.toFile().deleteOnExit();
                return folder;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create an empty home folder for the launcher: " + e.getMessage(), e);
            }
        }
    }

    /** A tool of the JDK running the tests: java, javac, jar. */
    static Path jdkTool(String name) {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        return java.resolveSibling(name);
    }

    /** The launcher's module path: its classes and the jars Maven copied to target/mods, minus a stale launcher jar. */
    static List<Path> modules() throws IOException {
        Path target = Path.of("target");
        List<Path> entries = new ArrayList<>();
        entries.add(target.resolve("classes").toAbsolutePath());
        try (Stream<Path> jars = Files.list(target.resolve("mods"))) {
            jars.filter(jar -> !jar.getFileName().toString().startsWith("caret-launcher"))
                    .map(Path::toAbsolutePath).sorted().forEach(entries::add);
        }
        return entries;
    }

    private static String modulePath() throws IOException {
        return String.join(File.pathSeparator, modules().stream().map(Path::toString).toList());
    }
}
