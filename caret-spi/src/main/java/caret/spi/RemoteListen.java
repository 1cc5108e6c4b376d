package caret.spi;

/**
 * A port the server listens on for us, from {@link SshConnection#listen}. Closing it sends
 * {@code cancel-tcpip-forward}; channels already open stay open.
 */
@Experimental
public interface RemoteListen extends AutoCloseable {

    /** The address the server listens on, with the port it bound (never 0). */
    Endpoint bound();

    /** Asks the server to stop listening. Idempotent; never throws. */
    @Override
    void close();
}
