package caret.plugin.dynamic;

import caret.spi.Endpoint;
import java.util.Objects;

/**
 * A valid SOCKS CONNECT request, read by {@link SocksHandshake}.
 *
 * @param version the protocol the client spoke
 * @param target where the client wants to go; a host name stays a name, for the server to resolve
 * @param pending bytes the client sent after its request, before any reply: the start of its
 *     payload; may be empty
 */
record SocksRequest(SocksVersion version, Endpoint target, byte[] pending) {

    SocksRequest {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(pending, "pending");
    }

    /** For log lines: {@code SOCKS5 CONNECT example.org:443}. */
    @Override
    public String toString() {
        return version + " CONNECT " + target;
    }
}
