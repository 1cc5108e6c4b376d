package caret.launcher;

import caret.core.HostKeyPrompt;
import caret.spi.CredentialPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who asks the user about host keys and passphrases: nobody in batch mode, else SSH_ASKPASS when
 * set (as ssh does), else the terminal when there is one, else nobody. Also the default key and
 * known_hosts files, as ssh's.
 */
record Prompts(HostKeyPrompt hostKeys, CredentialPrompt credentials) {

    static Prompts choose(boolean batch) {
        if (batch) {
            return new Prompts(HostKeyPrompt.NONE, CredentialPrompt.NONE);
        }
        Optional<TerminalPrompt> terminal = TerminalPrompt.ofTerminal();
        Optional<AskPass> askPass = AskPass.fromEnvironment(terminal.isPresent());
        if (askPass.isPresent()) {
            return new Prompts(askPass.get(), askPass.get());
        }
        if (terminal.isPresent()) {
            return new Prompts(terminal.get(), terminal.get());
        }
        return new Prompts(HostKeyPrompt.NONE, CredentialPrompt.NONE);
    }

    /** ~/.ssh/id_ed25519, id_ecdsa and id_rsa, those that are there. */
    static List<Path> defaultIdentities() {
        List<Path> keys = new ArrayList<>();
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path key = home().resolve(".ssh").resolve(name);
            if (Files.isReadable(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** ~/.ssh/known_hosts, then /etc/ssh/ssh_known_hosts. */
    static List<Path> defaultKnownHosts() {
        return List.of(home().resolve(".ssh/known_hosts"), Path.of("/etc/ssh/ssh_known_hosts"));
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }
}
