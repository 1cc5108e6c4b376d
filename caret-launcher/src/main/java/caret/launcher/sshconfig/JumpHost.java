package caret.launcher.sshconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One jump host as written after {@code ProxyJump} or {@code -J}: {@code [user@]host[:port]} or
 * {@code ssh://[user@]host[:port]}, an IPv6 address in brackets. What is not written stays empty;
 * as with ssh, the host may be an alias that the configuration resolves.
 *
 * @param user the user given before {@code @}, if any
 * @param host the host or alias, brackets removed
 * @param port the port given after {@code :}, if any
 */
public record JumpHost(Optional<String> user, String host, OptionalInt port) {

    /** The forms accepted, for messages. */
    static final String FORM = "[user@]host[:port] or ssh://[user@]host[:port]";

    public JumpHost {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
    }

    /**
     * Parses a list of hops separated by commas, as ssh does ({@code parse_jump} in readconf.c).
     *
     * @throws IllegalArgumentException naming the hop that is malformed and what is wrong with it
     */
    static List<JumpHost> parseHops(String text) {
        List<JumpHost> hops = new ArrayList<>();
        for (String hop : text.split(",", -1)) {
            hops.add(parseOne(hop));
        }
        return hops;
    }

    /**
     * Parses one hop.
     *
     * @throws IllegalArgumentException naming the text and the forms accepted
     */
    public static JumpHost parse(String text) {
        if (text.contains(",")) {
            throw new IllegalArgumentException("'" + text + "' names " + text.split(",", -1).length
                    + " jump hosts; Caret goes through one: write " + FORM);
        }
        try {
            return parseOne(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; write " + FORM, e);
        }
    }

    private static JumpHost parseOne(String text) {
        try {
            return text.startsWith("ssh://") ? parseUri(text.substring("ssh://".length())) : parsePlain(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a jump host: " + e.getMessage(), e);
        }
    }

    /** {@code [user@]host[:port]} with an IPv6 address in brackets. */
    @Override
    public String toString() {
        String address = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return user.map(u -> u + "@").orElse("") + address + (port.isPresent() ? ":" + port.getAsInt() : "");
    }

    private static JumpHost parsePlain(String text) {
        Optional<String> user = Optional.empty();
        String rest = text;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = Optional.of(nonEmptyUser(rest.substring(0, at)));
            rest = rest.substring(at + 1);
        }
        return hostAndPort(user, rest, false);
    }

    private static JumpHost parseUri(String text) {
        Optional<String> user = Optional.empty();
        String rest = text;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            int params = info.indexOf(';');
            user = Optional.of(nonEmptyUser(params >= 0 ? info.substring(0, params) : info));
            rest = rest.substring(at + 1);
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return hostAndPort(user, rest, true);
    }

    private static JumpHost hostAndPort(Optional<String> user, String text, boolean uri) {
        String host;
        String rest;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the '[' is not closed");
            }
            host = text.substring(1, close);
            rest = text.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':' after ']'");
            }
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            rest = colon < 0 ? "" : text.substring(colon);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (uri && host.indexOf('/') >= 0) {
            throw new IllegalArgumentException("an ssh:// jump host takes no path");
        }
        String portText = rest.isEmpty() ? "" : rest.substring(1);
        if (portText.isEmpty()) {
            return new JumpHost(user, host, OptionalInt.empty());
        }
        return new JumpHost(user, host, OptionalInt.of(Values.port(portText)));
    }

    private static String nonEmptyUser(String user) {
        if (user.isEmpty()) {
            throw new IllegalArgumentException("the user before '@' is empty");
        }
        return user;
    }
}
