package caret.launcher;

import java.util.Arrays;
import java.util.Optional;

/**
 * The password for {@code --socks-user}: from the environment variable {@value #ENVIRONMENT}, else
 * asked without echo, else an error that says how to give it. Never from the command line, where
 * {@code ps} shows it to every user of the machine.
 */
final class SocksPassword {

    static final String ENVIRONMENT = "CARET_SOCKS_PASSWORD";

    private SocksPassword() {
    }

    /**
     * @param user the SOCKS username, for the prompt
     * @param fromEnvironment the value of {@value #ENVIRONMENT}, or {@code null} when it is not set
     * @param prompt whom to ask when the environment has no password
     * @throws IllegalArgumentException when there is no password, saying how to give one
     */
    static String obtain(String user, String fromEnvironment, Optional<UserPrompt> prompt) {
        if (fromEnvironment != null) {
            if (fromEnvironment.isEmpty()) {
                throw new IllegalArgumentException(ENVIRONMENT + " is set but empty: set it to the SOCKS password for '" + user
                        + "', or unset it to be asked on the terminal");
            }
            return fromEnvironment;
        }
        UserPrompt asker = prompt.orElseThrow(() -> new IllegalArgumentException("--socks-user " + user
                + " needs a password and there is no one to ask (no terminal, or BatchMode=yes): set the environment variable "
                + ENVIRONMENT + " to it; a password is never taken on the command line, where ps shows it"));
        char[] answer = asker.secret("SOCKS password for " + user + ": ").orElseThrow(() -> new IllegalArgumentException(
                "no SOCKS password given for '" + user + "': type it when asked, or set " + ENVIRONMENT));
        try {
            if (answer.length == 0) {
                throw new IllegalArgumentException("the SOCKS password for '" + user + "' is empty: give one, or leave --socks-user out");
            }
            return new String(answer);
        } finally {
            Arrays.fill(answer, '\0');
        }
    }
}
