package caret.launcher;

import caret.spi.Endpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * Where to connect, once the command line and the ssh_config files are combined.
 *
 * @param server the host name (after HostName) and port
 * @param user the user to log in as
 * @param jump the jump host to go through (ProxyJump or {@code -J}), if any
 */
record Target(Endpoint server, String user, Optional<Jump> jump) {

    Target {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(jump, "jump");
    }

    /**
     * A jump host, resolved as ssh resolves it: its alias through the same configuration (HostName,
     * Port, User), with what {@code [user@]host[:port]} gave first.
     *
     * @param user the user to log in as on the jump host
     * @param host the jump host's name or address
     * @param port its SSH port
     */
    record Jump(String user, String host, int port) {

        Jump {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range: use 1 to 65535");
            }
        }
    }
}
