package caret.launcher;

import caret.core.Caret;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.testkit.OpenSshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Connection settings for the test sshd: its user key, its host key in a known_hosts of its own, strict checking. */
final class Fixtures {

    private Fixtures() {
    }

    static ConnectionSettings settings(OpenSshServer sshd) {
        return settings(sshd, List.of(sshd.userKey()), sshd.knownHosts(), HostKeyPolicy.YES);
    }

    static ConnectionSettings settings(OpenSshServer sshd, List<Path> keys, Path knownHosts, HostKeyPolicy policy) {
        return new ConnectionSettings(sshd.endpoint(), sshd.user(), keys,
                Caret.knownHosts(List.of(knownHosts), policy, HostKeyPrompt.NONE),
                CredentialPrompt.NONE, Duration.ofSeconds(10), 3, Duration.ofSeconds(10));
    }
}
