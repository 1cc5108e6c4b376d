package caret.plugin.dynamic;

import java.io.IOException;

/**
 * A SOCKS client's handshake was malformed, unsupported, incomplete or too slow. The message says
 * what was wrong, for one log line naming the client; whether a reply could be sent is in the
 * message too.
 */
final class SocksHandshakeException extends IOException {

    private static final long serialVersionUID = 1L;

    SocksHandshakeException(String message) {
        super(message);
    }

    SocksHandshakeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A client's protocol error, not a fault here: its stack trace would only add noise to the log. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
