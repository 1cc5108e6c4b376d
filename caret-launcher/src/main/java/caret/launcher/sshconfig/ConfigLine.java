package caret.launcher.sshconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One line of an ssh_config file split as OpenSSH splits it ({@code process_config_line} and
 * {@code argv_split} in readconf.c and misc.c): a keyword, separated from its arguments by
 * whitespace or one {@code =} ({@code Key value}, {@code Key=value}, {@code Key = value}); arguments
 * separated by whitespace, quoted with {@code "} or {@code '} to hold spaces, with {@code \} escaping
 * a quote, a backslash or a space; a {@code #} at the start of an argument ends the line.
 *
 * @param origin where the line is
 * @param keyword the keyword in lower case
 * @param arguments the arguments, quotes and escapes removed; never empty
 */
record ConfigLine(Origin origin, String keyword, List<String> arguments) {

    ConfigLine {
        arguments = List.copyOf(arguments);
    }

    /**
     * Splits one line.
     *
     * @return empty for a blank or comment line
     * @throws SshConfigException for a keyword without arguments or an unclosed quote
     */
    static Optional<ConfigLine> parse(String text, Origin origin) throws SshConfigException {
        int i = skipSpace(text, 0);
        if (i == text.length() || text.charAt(i) == '#') {
            return Optional.empty();
        }
        int start = i;
        while (i < text.length() && !isSpace(text.charAt(i)) && text.charAt(i) != '=') {
            i++;
        }
        String keyword = text.substring(start, i);
        i = skipSpace(text, i);
        if (i < text.length() && text.charAt(i) == '=') {
            i = skipSpace(text, i + 1);
        }
        List<String> arguments = split(text.substring(i), origin);
        if (arguments.isEmpty()) {
            throw new SshConfigException(origin, keyword + " has no value; write " + keyword + " followed by its value");
        }
        return Optional.of(new ConfigLine(origin, keyword.toLowerCase(Locale.ROOT), arguments));
    }

    /** The first argument. */
    String first() {
        return arguments.getFirst();
    }

    private static List<String> split(String rest, Origin origin) throws SshConfigException {
        List<String> arguments = new ArrayList<>();
        int i = 0;
        int n = rest.length();
        while (true) {
            i = skipSpace(rest, i);
            if (i == n || rest.charAt(i) == '#') {
                return arguments;
            }
            StringBuilder argument = new StringBuilder();
            char quote = 0;
            for (; i < n; i++) {
                char c = rest.charAt(i);
                if (c == '\\' && i + 1 < n && (rest.charAt(i + 1) == '\'' || rest.charAt(i + 1) == '"'
                        || rest.charAt(i + 1) == '\\' || (quote == 0 && rest.charAt(i + 1) == ' '))) {
                    argument.append(rest.charAt(++i));
                } else if (quote == 0 && isSpace(c)) {
                    break;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else {
                    argument.append(c);
                }
            }
            if (quote != 0) {
                throw new SshConfigException(origin, "the quote " + quote + " is not closed; close it on the same line");
            }
            arguments.add(argument.toString());
        }
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }
}
