package caret.core;

/** Where a {@link Server}'s SSH connection is. */
public enum ConnectionState {
    /** The first connection is being made. */
    CONNECTING,
    /** Connected: forwards that are on run. */
    UP,
    /** Lost or not made yet; Caret tries again after a backoff. Forwards that are on wait, keeping their local ports. */
    RECONNECTING,
    /** Given up: the connection was lost with reconnection off, or failed in a way retrying cannot fix (a changed host key). */
    FAILED,
    /** Closed by the user. */
    CLOSED
}
