package caret.spi;

import java.util.Objects;

/**
 * A connection could not be made or was refused. The message says what happened, with the real
 * values, and what to do; {@link #reason()} lets callers act without parsing it.
 */
@Experimental
public class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the connection failed. */
    public enum Reason {
        /** The server could not be reached: refused, unreachable, timed out, name unknown. */
        UNREACHABLE,
        /** The server has no entry in known_hosts and the policy does not allow adding it. */
        HOST_KEY_UNKNOWN,
        /** The server's key differs from the one in known_hosts: possibly an attack. */
        HOST_KEY_CHANGED,
        /** Every authentication method offered was refused. */
        AUTH_FAILED,
        /** The SSH handshake failed: no common algorithm, protocol error, or the server closed. */
        PROTOCOL
    }

    private final Reason reason;

    public TransportException(Reason reason, String message) {
        this(reason, message, null);
    }

    public TransportException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
