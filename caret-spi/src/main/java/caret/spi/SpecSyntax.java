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

    private static boolean isSeparator(char c) {
        return c == ':';
    }
}
