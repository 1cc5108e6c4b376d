package caret.spi;

import java.util.Objects;

/**
 * A host and a TCP port, as written by the user or reported by a peer. The host is kept as text:
 * a name is never resolved here, so that names meant for the server are resolved on the server.
 *
 * @param host a host name or an IP literal, without brackets; never blank
 * @param port 0 to 65535; 0 asks whoever binds it to pick a free port
 */
@Stable
public record Endpoint(String host, int port) implements java.io.Serializable {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: use 0 to 65535");
        }
    }

    /** The endpoint as {@code host:port}, with brackets around an IPv6 literal: {@code [::1]:22}. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
