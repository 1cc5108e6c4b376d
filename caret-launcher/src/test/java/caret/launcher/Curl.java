package caret.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl and returns what it printed; fails the test with curl's own message otherwise. */
final class Curl {

    /** How curl ended: its exit code and what it printed, errors included. */
    record Result(int exit, String output) {
    }

    private Curl() {
    }

    static String fetch(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (result.exit() != 0) {
            throw new AssertionError("curl " + List.of(args) + " exited " + result.exit() + ": " + result.output());
        }
        return result.output();
    }

    /** Runs curl to its end, whatever its exit code, for tests that expect it to fail. */
    static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--max-time", "20"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        Process curl = builder.start();
        byte[] output = curl.getInputStream().readAllBytes();
        if (!curl.waitFor(30, TimeUnit.SECONDS)) {
            curl.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        return new Result(curl.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
