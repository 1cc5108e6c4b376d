package caret.spi;

import java.util.Objects;

/**
 * A forward could not be started. The message says what happened, with the real values, and what
 * to do; {@link #reason()} lets the client and tests act without parsing it.
 */
@Experimental
public class ForwardException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the forward did not start. */
    public enum Reason {
        /** The local port is taken by another program. */
        LOCAL_PORT_IN_USE,
        /** The local address cannot be bound: not on this machine, or a privileged port. */
        LOCAL_BIND_FAILED,
        /** The server refused to listen on the requested address and port. */
        REMOTE_BIND_REFUSED,
        /** The SSH connection is closed or broke. */
        CONNECTION_LOST,
        /** The forward type failed in a way it did not report: a bug to take to its authors. */
        PLUGIN_FAILED
    }

    private final Reason reason;

    public ForwardException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
