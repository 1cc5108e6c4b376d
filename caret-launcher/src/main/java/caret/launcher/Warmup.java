package caret.launcher;

import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.LoggerFactory;

/**
 * Start-up: what the first connection of the default transport (MINA) waits for, done on a second
 * core while the rest of the command is prepared (the configuration read, the plugins found, the
 * keys loaded). MINA registers the Bouncy Castle provider (for ed25519 keys) when it builds its
 * client: 150 to 200 ms on the first connection's path otherwise. Started by the commands that
 * connect, after logging is configured (MINA logs the registration).
 */
final class Warmup {

    private Warmup() {
    }

    static void start() {
        LoggerFactory.getILoggerFactory(); // here: SLF4J set up by two threads at once warns on stderr
        Thread.ofPlatform().daemon().name("caret-warm-up").start(SecurityUtils::isBouncyCastleRegistered);
    }
}
