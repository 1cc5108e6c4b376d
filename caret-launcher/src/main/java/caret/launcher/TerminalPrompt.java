package caret.launcher;

import caret.spi.Endpoint;
import java.io.Console;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks the user on the terminal, as ssh does: host keys, key passphrases, passwords. Without a
 * terminal (or in batch mode) nothing is asked. Secrets are read without echo and never printed.
 */
final class TerminalPrompt implements UserPrompt {

    private final Console console;

    private TerminalPrompt(Console console) {
        this.console = console;
    }

    /** The terminal, if this process has one. */
    static Optional<TerminalPrompt> ofTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal() ? Optional.of(new TerminalPrompt(console)) : Optional.empty();
    }

    @Override
    public boolean canAsk() {
        return true;
    }

    @Override
    public boolean confirm(String question) {
        while (true) {
            String answer = console.readLine("%s", question);
            if (answer == null) {
                return false;
            }
            switch (answer.strip().toLowerCase(Locale.ROOT)) {
                case "yes" -> {
                    return true;
                }
                case "no" -> {
                    return false;
                }
                default -> console.printf("Please type 'yes' or 'no': ");
            }
        }
    }

    @Override
    public Optional<char[]> passphrase(Path keyFile) {
        return Optional.ofNullable(console.readPassword("Enter passphrase for key '%s': ", keyFile));
    }

    @Override
    public Optional<char[]> password(String user, Endpoint server) {
        return Optional.ofNullable(console.readPassword("%s@%s's password: ", user, server.host()));
    }

    @Override
    public Optional<char[]> secret(String prompt) {
        return Optional.ofNullable(console.readPassword("%s", prompt));
    }
}
