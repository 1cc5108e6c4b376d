package caret.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits forward specs written in OpenSSH's forms, so that every forward type reads them alike:
 * fields are separated by {@code :}, and an IPv6 address stands in brackets:
 * {@code [::1]:8080:db:5432}.
 */
@Experimental
public final class SpecSyntax {

    private SpecSyntax() {
    }

    /**
     * The fields of {@code spec}, brackets removed. A field may be empty ({@code :8080:h:80}).
     *
     * @throws IllegalArgumentException on an unclosed bracket or text after a closing bracket
     */
    public static List<String> fields(String spec) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = spec.length();
        while (true) {
            String field;
            if (i < n && spec.charAt(i) == '[') {
                int close = spec.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'[' at position " + (i + 1) + " is not closed");
                }
                field = spec.substring(i + 1, close);
                i = close + 1;
                if (i < n && !isSeparator(spec.charAt(i))) {
                    throw new IllegalArgumentException("expected ':' after ']' at position " + (i + 1));
                }
            } else {
                int end = i;
                while (end < n && !isSeparator(spec.charAt(end))) {
                    end++;
                }
                field = spec.substring(i, end);
                i = end;
            }
            fields.add(field);
            if (i >= n) {
                return fields;
            }
            i++; // the separator
        }
    }

    /**
     * Parses a port field.
     *
     * @throws IllegalArgumentException naming the field when it is not a number from 0 to 65535
     */
    public static int port(String field, String what) {
        if (field.isEmpty() || field.length() > 5 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " '" + field + "' is not a port number (0 to 65535)");
        }
        int port = Integer.parseInt(field);
        if (port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is out of range (0 to 65535)");
        }
        return port;
    }

    /**
     * Parses the form local and reverse forwards share, {@code [bind_address:]port:host:hostport}.
     * An empty bind address or {@code *} means every interface and is kept as {@code *}.
     *
     * @param type the forward type's id
     * @param kind the kind as a person says it, for messages: {@code local forward}
     * @param usage the expected form, for messages
     * @throws InvalidSpecException naming the spec, the problem and the expected form
     */
    public static ForwardSpec listenAndTarget(String type, String kind, String text, String usage)
            throws InvalidSpecException {
        try {
            List<String> f = fields(text.strip());
            if (f.size() < 3) {
                throw new IllegalArgumentException("it has " + f.size() + " field" + (f.size() == 1 ? "" : "s") + ", not 3 or 4");
            }
            if (f.size() > 4) {
                throw new IllegalArgumentException("it has " + f.size() + " fields, not 3 or 4 (put an IPv6 address in brackets)");
            }
            int at = f.size() - 3;
            String bind = at == 0 ? null : (f.getFirst().isEmpty() ? "*" : f.getFirst());
            if (f.stream().anyMatch(field -> field.indexOf('/') >= 0)) {
                throw new IllegalArgumentException("Unix socket paths are not supported, only host:port");
            }
            if (bind != null) {
                requireNoSpaceOrControl(bind, "the bind address");
            }
            int port = port(f.get(at), "port");
            String host = f.get(at + 1);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("the destination host is empty");
            }
            requireNoSpaceOrControl(host, "the destination host");
            int hostPort = port(f.get(at + 2), "hostport");
            if (hostPort == 0) {
                throw new IllegalArgumentException("hostport 0 is not a destination port (1 to 65535)");
            }
            return new ForwardSpec(type, text, bind, port, new Endpoint(host, hostPort));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(kind, text, e.getMessage(), usage);
        }
    }

    /**
     * Refuses a host or address with a space or a control character, which none has: left in, it
     * would reach the resolver or the server as written.
     */
    private static void requireNoSpaceOrControl(String field, String what) {
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(what + " has a space or control character (U+" + String.format("%04X", (int) c)
                        + ") at its position " + (i + 1) + "; no host name or address has one");
            }
        }
    }

    private static boolean isSeparator(char c) {
        return c == ':';
    }
}
