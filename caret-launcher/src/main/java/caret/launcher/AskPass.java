package caret.launcher;

import caret.spi.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSH's {@code SSH_ASKPASS}: a program, run with the prompt as its argument, that prints the
 * answer on its standard output. Used when there is no terminal, or always with
 * {@code SSH_ASKPASS_REQUIRE=force}; never with {@code SSH_ASKPASS_REQUIRE=never}. What it prints is
 * never logged, and the bytes are wiped once read.
 */
final class AskPass implements UserPrompt {

    private final String program;

    private AskPass(String program) {
        this.program = program;
    }

    /** The askpass program OpenSSH would use here, if any. */
    static Optional<AskPass> fromEnvironment(boolean haveTerminal) {
        String program = System.getenv("SSH_ASKPASS");
        String require = Optional.ofNullable(System.getenv("SSH_ASKPASS_REQUIRE")).orElse("").toLowerCase(Locale.ROOT);
        if (program == null || program.isBlank() || require.equals("never")) {
            return Optional.empty();
        }
        return require.equals("force") || !haveTerminal ? Optional.of(new AskPass(program)) : Optional.empty();
    }

    @Override
    public boolean canAsk() {
        return true;
    }

    @Override
    public boolean confirm(String question) {
        return ask(question).map(answer -> {
            boolean yes = new String(answer).strip().equalsIgnoreCase("yes");
            Arrays.fill(answer, '\0');
            return yes;
        }).orElse(false);
    }

    @Override
    public Optional<char[]> passphrase(Path keyFile) {
        return ask("Enter passphrase for key '" + keyFile + "': ");
    }

    @Override
    public Optional<char[]> password(String user, Endpoint server) {
        return ask(user + "@" + server.host() + "'s password: ");
    }

    @Override
    public Optional<char[]> secret(String prompt) {
        return ask(prompt);
    }

    private Optional<char[]> ask(String prompt) {
        byte[] output = null;
        try {
            Process process = new ProcessBuilder(program, prompt)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (InputStream in = process.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                System.err.println("Warning: SSH_ASKPASS program " + program + " did not answer within 5 minutes");
                return Optional.empty();
            }
            if (process.exitValue() != 0) { // the user cancelled, as ssh reads it
                return Optional.empty();
            }
            int end = output.length;
            while (end > 0 && (output[end - 1] == '\n' || output[end - 1] == '\r')) {
                end--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(output, 0, end));
            char[] answer = new char[chars.remaining()];
            chars.get(answer);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return Optional.of(answer);
        } catch (IOException e) {
            System.err.println("Warning: cannot run SSH_ASKPASS program " + program + ": " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (output != null) {
                Arrays.fill(output, (byte) 0);
            }
        }
    }
}
