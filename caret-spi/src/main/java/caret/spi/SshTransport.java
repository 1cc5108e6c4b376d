package caret.spi;

/**
 * An SSH library behind Caret: it connects to a server and offers the few channel primitives a
 * forward is built from. Found with {@link java.util.ServiceLoader}; a transport module
 * {@code provides caret.spi.SshTransport} and ships {@code META-INF/services/caret.spi.SshTransport}.
 *
 * <p>A transport must not use its library's own port forwarders: every forward type is built on
 * {@link SshConnection#openChannel} and {@link SshConnection#listen}, so that each works on every
 * transport.
 */
@Experimental
public interface SshTransport {

    /**
     * A short, lowercase, stable name, such as {@code sshd} or {@code jsch}; chosen by users with
     * {@code --transport}. Never blank.
     */
    String id();

    /** One line for {@code caret plugins}, such as {@code Apache MINA SSHD 2.20.0}. */
    String description();

    /**
     * Connects, verifies the server's host key with {@link ConnectionSettings#hostKeys()} and
     * authenticates. Blocks until the connection is ready or has failed.
     *
     * @throws TransportException with a {@link TransportException.Reason} when the server cannot
     *     be reached, its host key is refused, or authentication fails
     */
    SshConnection connect(ConnectionSettings settings) throws TransportException;
}
