package caret.spi;

import java.util.List;

/**
 * Decides whether a server's host key is trusted. The engine supplies one (known_hosts and the
 * user's {@code StrictHostKeyChecking}); a transport calls it once per connection during key
 * exchange and aborts the connection when it throws.
 */
@Experimental
@FunctionalInterface
public interface HostKeyVerifier {

    /**
     * @param server the server as the user named it (not resolved)
     * @param key the key the server presented
     * @throws TransportException with reason {@link TransportException.Reason#HOST_KEY_UNKNOWN} or
     *     {@link TransportException.Reason#HOST_KEY_CHANGED}, and a message that says what to do
     */
    void verify(Endpoint server, HostKey key) throws TransportException;

    /**
     * The key types already trusted for {@code server}, preferred first. A transport offers these
     * host key algorithms first in key exchange, as OpenSSH does, so that a server with several
     * host keys presents the one the user already trusts rather than an unknown one.
     *
     * @return key type names such as {@code ssh-ed25519}; empty when none is known
     */
    default List<String> knownKeyTypes(Endpoint server) {
        return List.of();
    }
}
