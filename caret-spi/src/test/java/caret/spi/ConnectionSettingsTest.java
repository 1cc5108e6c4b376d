package caret.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

    private static final HostKeyVerifier ANY = (server, key) -> { };

    private static ConnectionSettings direct(String user, String host, int port) {
        return new ConnectionSettings(new Endpoint(host, port), user, List.of(Path.of("id_" + user)), ANY,
                CredentialPrompt.NONE, Duration.ofSeconds(10), 3, Duration.ofSeconds(30));
    }

    @Test
    void theEightArgumentConstructorConnectsDirectly() {
        ConnectionSettings settings = direct("deploy", "db.example.org", 22);
        assertNull(settings.jump());
        assertEquals(Optional.empty(), settings.jumpHost());
        assertEquals("deploy@db.example.org:22 identities=[id_deploy] keepalive=PT10Sx3 connectTimeout=PT30S",
                settings.toString());
    }

    @Test
    void withJumpKeepsEverythingElseAndShowsTheJumpInItsText() {
        ConnectionSettings target = direct("deploy", "db.internal", 22);
        ConnectionSettings jump = direct("me", "bastion.example.org", 2222);
        ConnectionSettings through = target.withJump(jump);
        assertSame(jump, through.jumpHost().orElseThrow());
        assertEquals(target.server(), through.server());
        assertEquals(target.identities(), through.identities());
        assertEquals(target, through.withJump(null));
        assertTrue(through.toString().startsWith("deploy@db.internal:22 via me@bastion.example.org:2222 "),
                through.toString());
    }

    @Test
    void refusesAJumpWithAJumpOfItsOwn() {
        ConnectionSettings first = direct("a", "first", 22);
        ConnectionSettings second = direct("b", "second", 22).withJump(first);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> direct("c", "target", 22).withJump(second));
        assertEquals("Only one jump host is supported: b@second:22 has a jump host of its own (a@first:22)",
                thrown.getMessage());
    }

    @Test
    void keepsSecretsOutOfItsText() {
        CredentialPrompt secret = new CredentialPrompt() {
            @Override
            public Optional<char[]> passphrase(Path keyFile) {
                return Optional.of("hunter2".toCharArray());
            }

            @Override
            public Optional<char[]> password(String user, Endpoint server) {
                return Optional.of("hunter2".toCharArray());
            }

            @Override
            public String toString() {
                return "hunter2";
            }
        };
        ConnectionSettings jump = new ConnectionSettings(new Endpoint("bastion", 22), "me", List.of(), ANY, secret,
                Duration.ZERO, 1, Duration.ofSeconds(5));
        ConnectionSettings settings = new ConnectionSettings(new Endpoint("db", 22), "deploy", List.of(), ANY, secret,
                Duration.ZERO, 1, Duration.ofSeconds(5), jump);
        assertFalse(settings.toString().contains("hunter2"), settings.toString());
    }
}
