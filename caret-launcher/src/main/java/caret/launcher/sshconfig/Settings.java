package caret.launcher.sshconfig;

import caret.core.HostKeyPolicy;
import caret.launcher.sshconfig.Directive.Effect;
import caret.launcher.sshconfig.Directive.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The keywords Caret honours, each checked as ssh checks it when the file is read; a bad value is
 * an error naming the line, the value and the form to write. A setting ssh accepts but Caret
 * cannot honour ({@code ProxyCommand}, a ProxyJump chain, a dynamic RemoteForward, Unix sockets)
 * is an error only when it applies to the host being resolved, so one file serves ssh and Caret.
 */
final class Settings {

    private static final Duration DAY = Duration.ofDays(1);
    private static final String HOST_NAME_FORM = "HostName NAME, e.g. HostName %h.example.org (%h is the host as given)";

    private Settings() {
    }

    /**
     * The setting a line holds.
     *
     * @return empty for a keyword Caret does not use (ssh has about a hundred)
     * @throws SshConfigException for a bad value
     */
    static Optional<Setting> parse(ConfigLine line) throws SshConfigException {
        Origin at = line.origin();
        return Optional.ofNullable(switch (line.keyword()) {
            case "hostname" -> {
                String name = one(line, "HostName", HOST_NAME_FORM);
                checkHostNameTokens(line, name);
                yield setting(line, r -> r.hostName.offer(name, at));
            }
            case "port" -> {
                int port = value(line, "Port", "Port NUMBER, e.g. Port 2222", Values::port);
                yield setting(line, r -> r.port.offer(port, at));
            }
            case "user" -> {
                String user = one(line, "User", "User NAME");
                yield setting(line, r -> r.user.offer(user, at));
            }
            case "identityfile" -> {
                String file = one(line, "IdentityFile", "IdentityFile PATH, e.g. IdentityFile ~/.ssh/id_ed25519");
                yield setting(line, r -> r.identityFiles.add(new Resolution.Located(file, at)));
            }
            case "userknownhostsfile" -> {
                List<String> files = files(line, "UserKnownHostsFile");
                yield setting(line, r -> r.userKnownHostsFiles.offer(files, at));
            }
            case "globalknownhostsfile" -> {
                List<String> files = files(line, "GlobalKnownHostsFile");
                yield setting(line, r -> r.globalKnownHostsFiles.offer(files, at));
            }
            case "stricthostkeychecking" -> {
                HostKeyPolicy policy = value(line, "StrictHostKeyChecking", "StrictHostKeyChecking yes, accept-new, no or ask",
                        Settings::policy);
                yield setting(line, r -> r.strictHostKeyChecking.offer(policy, at));
            }
            case "serveraliveinterval" -> {
                Optional<Duration> interval = time(line, "ServerAliveInterval", Duration.ZERO);
                yield setting(line, r -> offer(r.serverAliveInterval, interval, at));
            }
            case "serveralivecountmax" -> {
                int count = value(line, "ServerAliveCountMax", "ServerAliveCountMax 1 to 1000, e.g. ServerAliveCountMax 3",
                        text -> Values.number(text, 1, 1000));
                yield setting(line, r -> r.serverAliveCountMax.offer(count, at));
            }
            case "connecttimeout" -> {
                Optional<Duration> timeout = time(line, "ConnectTimeout", Duration.ofSeconds(1));
                yield setting(line, r -> offer(r.connectTimeout, timeout, at));
            }
            case "batchmode" -> {
                boolean batch = flag(line, "BatchMode");
                yield setting(line, r -> r.batchMode.offer(batch, at));
            }
            case "exitonforwardfailure" -> {
                boolean exit = flag(line, "ExitOnForwardFailure");
                yield setting(line, r -> r.exitOnForwardFailure.offer(exit, at));
            }
            case "identitiesonly" -> {
                flag(line, "IdentitiesOnly"); // Caret uses no agent: it only ever offers the identity files
                yield setting(line, r -> { });
            }
            case "localforward" -> ForwardLines.local(line);
            case "remoteforward" -> ForwardLines.remote(line);
            case "dynamicforward" -> ForwardLines.dynamic(line);
            case "proxyjump" -> proxyJump(line);
            case "proxycommand" -> proxyCommand(line);
            default -> null;
        });
    }

    /** HostName with {@code %h} and {@code %%} expanded, as ssh.c does. */
    static String expandHostName(String hostName, String host) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hostName.length(); i++) {
            char c = hostName.charAt(i);
            if (c == '%' && i + 1 < hostName.length()) {
                out.append(hostName.charAt(++i) == 'h' ? host : "%");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static Setting setting(ConfigLine line, Effect effect) {
        return new Setting(line.origin(), effect);
    }

    /** The problem with a line's value and the form to write, as one message naming the line. */
    static SshConfigException bad(ConfigLine line, String keyword, String problem, String form) {
        return new SshConfigException(line.origin(), "bad " + keyword + " '" + String.join(" ", line.arguments()) + "': "
                + problem + "; write " + form);
    }

    private static String one(ConfigLine line, String keyword, String form) throws SshConfigException {
        if (line.arguments().size() > 1) {
            throw bad(line, keyword, "one value expected, " + line.arguments().size() + " given (quote a value with spaces)", form);
        }
        if (line.first().isEmpty()) {
            throw bad(line, keyword, "the value is empty", form);
        }
        return line.first();
    }

    /** The value of a single-argument keyword, read by {@code reader}, whose exception says what is allowed. */
    private static <T> T value(ConfigLine line, String keyword, String form, Reader<T> reader) throws SshConfigException {
        String text = one(line, keyword, form);
        try {
            return reader.read(text);
        } catch (IllegalArgumentException e) {
            throw bad(line, keyword, e.getMessage(), form);
        }
    }

    private static boolean flag(ConfigLine line, String keyword) throws SshConfigException {
        return value(line, keyword, keyword + " yes or " + keyword + " no", Values::flag);
    }

    /** A time of at least {@code min} and at most a day; empty for {@code none}, which keeps Caret's default. */
    private static Optional<Duration> time(ConfigLine line, String keyword, Duration min) throws SshConfigException {
        String form = keyword + " SECONDS (or with units: 30s, 1m30s) or " + keyword + " none";
        String text = one(line, keyword, form);
        if (text.equals("none")) {
            return Optional.empty();
        }
        Duration time = value(line, keyword, form, t -> Values.time(t, DAY));
        if (time.compareTo(min) < 0) {
            throw bad(line, keyword, "at least " + min.toSeconds() + " second is needed", form);
        }
        return Optional.of(time);
    }

    private static <T> void offer(Resolution.First<T> first, Optional<T> value, Origin origin) {
        if (value.isPresent()) {
            first.offer(value.get(), origin);
        } else {
            first.takeNone();
        }
    }

    private static List<String> files(ConfigLine line, String keyword) throws SshConfigException {
        String form = keyword + " FILE [FILE...] or " + keyword + " none";
        if (line.arguments().stream().anyMatch(String::isEmpty)) {
            throw bad(line, keyword, "a file name is empty", form);
        }
        if (line.arguments().size() > 1 && line.arguments().stream().anyMatch(f -> f.equalsIgnoreCase("none"))) {
            throw bad(line, keyword, "none must stand alone", form);
        }
        return line.arguments();
    }

    private static HostKeyPolicy policy(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> HostKeyPolicy.YES;
            case "false" -> HostKeyPolicy.NO;
            default -> {
                try {
                    yield HostKeyPolicy.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not one of yes, accept-new, no, ask", e);
                }
            }
        };
    }

    private static void checkHostNameTokens(ConfigLine line, String name) throws SshConfigException {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '%') {
                char token = i + 1 < name.length() ? name.charAt(i + 1) : ' ';
                if (token != 'h' && token != '%') {
                    throw bad(line, "HostName", "HostName knows only the tokens %h and %%", HOST_NAME_FORM);
                }
                i++;
            }
        }
    }

    /**
     * As ssh: the first of ProxyJump and ProxyCommand obtained wins. One jump host is kept for
     * Caret; a chain of several is an error when it applies.
     */
    private static Setting proxyJump(ConfigLine line) throws SshConfigException {
        Origin at = line.origin();
        String text = one(line, "ProxyJump", "ProxyJump " + JumpHost.FORM + " or ProxyJump none");
        if (text.equalsIgnoreCase("none")) {
            return setting(line, r -> r.proxyJump.takeNone());
        }
        List<JumpHost> hops;
        try {
            hops = JumpHost.parseHops(text);
        } catch (IllegalArgumentException e) {
            throw bad(line, "ProxyJump", e.getMessage(), "ProxyJump " + JumpHost.FORM + " or ProxyJump none");
        }
        return setting(line, r -> {
            if (r.proxyCommand.taken() || r.proxyJump.taken()) {
                return;
            }
            if (hops.size() > 1) {
                throw new SshConfigException(at, "ProxyJump " + text + " goes through " + hops.size()
                        + " jump hosts; Caret goes through one at most: name one jump host for this host");
            }
            r.proxyJump.offer(hops.getFirst(), at);
            r.proxyCommand.takeNone();
        });
    }

    /** ssh runs the command to carry the connection; Caret cannot, and connecting directly instead would go elsewhere. */
    private static Setting proxyCommand(ConfigLine line) {
        Origin at = line.origin();
        String command = String.join(" ", line.arguments());
        if (command.equalsIgnoreCase("none")) {
            return setting(line, r -> r.proxyCommand.takeNone());
        }
        return setting(line, r -> {
            if (!r.proxyCommand.taken()) {
                throw new SshConfigException(at, "ProxyCommand " + command + " applies to " + r.host
                        + ", and Caret cannot run a proxy command (connecting directly would reach another place);"
                        + " keep the line from this host with a Host or Match block, or use a config without it (-F)");
            }
        });
    }

    /** Reads a value; throws {@link IllegalArgumentException} saying what is allowed. */
    @FunctionalInterface
    private interface Reader<T> {
        T read(String text);
    }
}
