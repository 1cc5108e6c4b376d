package caret.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What Caret uses when neither the command line, ssh_config nor the configuration file says: ssh's
 * default keys and known_hosts files, and keepalive and connect timeout (ssh has no keepalive by
 * default; Caret notices a dead connection within 30 s).
 */
final class SshDefaults {

    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    static final int KEEPALIVE_COUNT_MAX = 3;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

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
        return List.of(userKnownHosts(), globalKnownHosts());
    }

    /** ~/.ssh/known_hosts: where new keys are added. */
    static Path userKnownHosts() {
        return home().resolve(".ssh/known_hosts");
    }

    static Path globalKnownHosts() {
        return Path.of("/etc/ssh/ssh_known_hosts");
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }
}
