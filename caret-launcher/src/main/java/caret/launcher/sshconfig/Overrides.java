package caret.launcher.sshconfig;

import java.util.Objects;
import java.util.Optional;

/**
 * What the command line already decided about a connection. As in ssh, it wins over every
 * configuration file: it is the first value obtained. The user also decides {@code Match user}.
 *
 * @param user the remote user from {@code -l}, {@code user@host} or {@code -o User}
 * @param port the port from {@code -p}, {@code ssh://host:port} or {@code -o Port}
 * @param jump whether {@code -J} was given, which overrides ProxyJump and ProxyCommand in the files
 */
public record Overrides(Optional<String> user, Optional<Integer> port, boolean jump) {

    public Overrides {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(port, "port");
    }

    /** Nothing given on the command line: the files decide. */
    public static Overrides none() {
        return new Overrides(Optional.empty(), Optional.empty(), false);
    }
}
