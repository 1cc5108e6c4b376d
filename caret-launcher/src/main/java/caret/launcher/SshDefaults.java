package caret.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files ssh uses when none are named: the user's default keys and known_hosts files. */
final class SshDefaults {

    private SshDefaults() {
    }

    /** ~/.ssh/id_ed25519, id_ecdsa and id_rsa, those that are there. */
    static List<Path> identities() {
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
    static List<Path> knownHosts() {
        return List.of(home().resolve(".ssh/known_hosts"), Path.of("/etc/ssh/ssh_known_hosts"));
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }
}
