package caret.core;

import java.time.Duration;

/**
 * Something that happened to a server's SSH connection. Listeners registered with
 * {@link Caret#addConnectionListener} get every event, in order per server: they must return quickly.
 */
public sealed interface ConnectionEvent {

    /** The server's name. */
    String server();

    /** Connected, the first time or again after a loss. */
    record Connected(String server, int attempt) implements ConnectionEvent {
    }

    /** The connection dropped, or an attempt failed: Caret tries again after {@code delay}. */
    record Retrying(String server, String reason, Duration delay, int attempt) implements ConnectionEvent {
    }

    /** The connection is gone for good: reconnection is off, or retrying cannot help. */
    record GaveUp(String server, String reason) implements ConnectionEvent {
    }
}
