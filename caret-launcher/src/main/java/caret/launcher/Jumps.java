package caret.launcher;

import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;

/**
 * The settings for a jump host (ProxyJump, {@code -J}): its own address and user, and the target's
 * keys, known_hosts, prompts, keepalive and timeout, as ssh uses for the jump what it uses for the
 * connection unless the jump's own Host block says otherwise.
 */
final class Jumps {

    private Jumps() {
    }

    static ConnectionSettings through(ConnectionSettings target, String user, Endpoint jump) {
        return new ConnectionSettings(jump, user, target.identities(), target.hostKeys(), target.prompt(),
                target.keepaliveInterval(), target.keepaliveCountMax(), target.connectTimeout());
    }
}
