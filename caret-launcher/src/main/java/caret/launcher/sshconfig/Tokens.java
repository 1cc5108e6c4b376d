package caret.launcher.sshconfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What OpenSSH's {@code %} tokens stand for on one connection, and the expansion of file names
 * with them, as ssh does for {@code IdentityFile} and {@code UserKnownHostsFile}: a leading
 * {@code ~} is the home folder, then {@code %h} the host name (after {@code HostName}), {@code %p}
 * the port, {@code %r} the remote user, {@code %u} the local user, {@code %n} the host as given on
 * the command line, {@code %d} the home folder, {@code %%} a percent sign, and {@code ${NAME}} an
 * environment variable.
 *
 * @param host the host name to connect to ({@code %h})
 * @param port the port ({@code %p})
 * @param remoteUser the user to log in as ({@code %r})
 * @param localUser the user running Caret ({@code %u})
 * @param originalHost the host as given on the command line ({@code %n})
 * @param home the local home folder ({@code ~} and {@code %d})
 */
public record Tokens(String host, int port, String remoteUser, String localUser, String originalHost, Path home) {

    /** The tokens Caret expands, for messages. */
    static final String SUPPORTED = "%h %p %r %u %n %d %%";

    public Tokens {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(remoteUser, "remoteUser");
        Objects.requireNonNull(localUser, "localUser");
        Objects.requireNonNull(originalHost, "originalHost");
        Objects.requireNonNull(home, "home");
    }

    /**
     * A file name with {@code ~}, tokens and environment variables expanded.
     *
     * @throws IllegalArgumentException naming an unknown token, {@code ~name}, or an unset variable
     */
    public Path path(String text) {
        if (text.equals("~") || text.startsWith("~/")) {
            return Path.of(home + expand(text.substring(1), text));
        }
        if (text.startsWith("~")) {
            throw new IllegalArgumentException("'" + text + "' names another user's home (~name), which Caret does not look up;"
                    + " write the full path");
        }
        return Path.of(expand(text, text));
    }

    /**
     * Text with its tokens and environment variables expanded.
     *
     * @throws IllegalArgumentException naming an unknown token or an unset variable
     */
    public String expand(String text) {
        return expand(text, text);
    }

    /** Expands {@code text}, part of {@code whole}, which messages name. */
    private String expand(String text, String whole) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 1 == text.length()) {
                    throw new IllegalArgumentException("'" + whole + "' ends with a lone %; write %% for a percent sign");
                }
                char token = text.charAt(++i);
                out.append(switch (token) {
                    case '%' -> "%";
                    case 'h' -> host;
                    case 'p' -> Integer.toString(port);
                    case 'r' -> remoteUser;
                    case 'u' -> localUser;
                    case 'n' -> originalHost;
                    case 'd' -> home.toString();
                    default -> throw new IllegalArgumentException("'" + whole + "' has the token %" + token
                            + ", which Caret does not expand; use " + SUPPORTED);
                });
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'" + whole + "' has an unclosed ${; write ${NAME}");
                }
                String variable = text.substring(i + 2, close);
                String value = System.getenv(variable);
                if (value == null) {
                    throw new IllegalArgumentException("'" + whole + "' names the environment variable " + variable
                            + ", which is not set; set it or write the path out");
                }
                out.append(value);
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
