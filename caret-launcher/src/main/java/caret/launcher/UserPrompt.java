package caret.launcher;

import caret.core.HostKeyPrompt;
import caret.spi.CredentialPrompt;
import java.util.Optional;

/**
 * Someone to ask, as ssh asks: on the terminal or through {@code SSH_ASKPASS}. Host keys and
 * passwords for the SSH connection, and any other secret by its prompt. Answers are never printed.
 */
interface UserPrompt extends HostKeyPrompt, CredentialPrompt {

    /**
     * Asks for a secret without echo.
     *
     * @param prompt what to show, such as {@code SOCKS password for alice: }
     * @return the answer, which the caller wipes once used; empty when the user gives none
     */
    Optional<char[]> secret(String prompt);

    /**
     * Whom to ask, as ssh chooses: nobody in batch mode; else {@code SSH_ASKPASS} when there is no
     * terminal or {@code SSH_ASKPASS_REQUIRE=force}; else the terminal, if there is one.
     */
    static Optional<UserPrompt> choose(boolean batchMode) {
        if (batchMode) {
            return Optional.empty();
        }
        Optional<TerminalPrompt> terminal = TerminalPrompt.ofTerminal();
        Optional<AskPass> askPass = AskPass.fromEnvironment(terminal.isPresent());
        return askPass.<UserPrompt>map(p -> p).or(() -> terminal);
    }
}
