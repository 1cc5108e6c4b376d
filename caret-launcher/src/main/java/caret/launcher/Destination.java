package caret.launcher;

import java.util.Optional;

/**
 * The server as written on the command line, as ssh reads it: {@code [user@]host} or
 * {@code ssh://[user@]host[:port]}. The host may be an alias for the configuration to resolve.
 *
 * @param user the user before {@code @}, if any
 * @param host the host or alias
 * @param port the port of an {@code ssh://} destination, if any
 */
record Destination(Optional<String> user, String host, Optional<Integer> port) {

    /** @throws IllegalArgumentException naming the destination and the forms accepted */
    static Destination parse(String destination) {
        String rest = destination;
        Integer uriPort = null;
        String uriUser = null;
        if (rest.startsWith("ssh://")) {
            rest = rest.substring("ssh://".length());
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                uriUser = rest.substring(0, at);
                rest = rest.substring(at + 1);
            }
            int colon = rest.lastIndexOf(':');
            if (colon > rest.lastIndexOf(']')) {
                uriPort = port(destination, rest.substring(colon + 1));
                rest = rest.substring(0, colon);
            }
        } else {
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                uriUser = rest.substring(0, at);
                rest = rest.substring(at + 1);
            }
        }
        if (rest.isEmpty() || (uriUser != null && uriUser.isEmpty())) {
            throw new IllegalArgumentException("Bad destination '" + destination + "': write [user@]host or ssh://[user@]host[:port]");
        }
        return new Destination(Optional.ofNullable(uriUser), rest, Optional.ofNullable(uriPort));
    }

    private static int port(String destination, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("Bad destination '" + destination + "': the port '" + text
                + "' is not a number from 1 to 65535; write ssh://[user@]host[:port]");
    }
}
