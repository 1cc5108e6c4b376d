package caret.launcher.sshconfig;

import caret.launcher.sshconfig.Directive.Setting;
import caret.spi.SpecSyntax;
import java.util.List;

/**
 * {@code LocalForward}, {@code RemoteForward} and {@code DynamicForward} lines, read as ssh reads
 * them ({@code parse_forward} in readconf.c) and turned into the specs of {@code -L}, {@code -R} and
 * {@code -D}: {@code LocalForward [bind_address:]port host:hostport} becomes
 * {@code [bind_address:]port:host:hostport}. An IPv6 address stands in brackets. A {@code /} makes a
 * field a Unix socket path for OpenSSH (the old {@code host/port} form is gone since OpenSSH 6.7),
 * and a RemoteForward with only a port asks the server for a SOCKS proxy: ssh does both, Caret
 * does neither, so such a line is an error when it applies to the host.
 */
final class ForwardLines {

    private static final String LOCAL_FORM = "LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432";
    private static final String REMOTE_FORM = "RemoteForward [bind_address:]port host:hostport, e.g. RemoteForward 8080 127.0.0.1:3000";
    private static final String DYNAMIC_FORM = "DynamicForward [bind_address:]port, e.g. DynamicForward 1080";

    private ForwardLines() {
    }

    static Setting local(ConfigLine line) throws SshConfigException {
        return listenAndTarget(line, "LocalForward", "local", LOCAL_FORM);
    }

    static Setting remote(ConfigLine line) throws SshConfigException {
        if (line.arguments().size() == 1) {
            boolean socket = listen(line, "RemoteForward", REMOTE_FORM, line.first());
            String problem = socket ? socketProblem("RemoteForward")
                    : "RemoteForward " + line.first() + " has only a port, which asks the server for a SOCKS proxy"
                            + " (dynamic reverse forwarding) and Caret does not offer that";
            return unsupported(line, problem + "; write " + REMOTE_FORM);
        }
        return listenAndTarget(line, "RemoteForward", "reverse", REMOTE_FORM);
    }

    static Setting dynamic(ConfigLine line) throws SshConfigException {
        List<String> arguments = line.arguments();
        if (arguments.size() != 1) {
            throw Settings.bad(line, "DynamicForward", "one address expected, " + arguments.size() + " given", DYNAMIC_FORM);
        }
        if (listen(line, "DynamicForward", DYNAMIC_FORM, line.first())) {
            return unsupported(line, socketProblem("DynamicForward") + "; write " + DYNAMIC_FORM);
        }
        return forward(line, "dynamic", line.first());
    }

    private static Setting listenAndTarget(ConfigLine line, String keyword, String type, String form)
            throws SshConfigException {
        List<String> arguments = line.arguments();
        if (arguments.size() != 2) {
            throw Settings.bad(line, keyword, arguments.size() == 1
                    ? "the listen port and the destination are two values, separated by a space"
                    : "two values expected, " + arguments.size() + " given", form);
        }
        boolean socket = listen(line, keyword, form, arguments.get(0));
        socket |= target(line, keyword, form, arguments.get(1));
        if (socket) {
            return unsupported(line, socketProblem(keyword) + "; write " + form);
        }
        return forward(line, type, arguments.get(0) + ":" + arguments.get(1));
    }

    /** Checks {@code [bind_address:]port}; returns true when it is a Unix socket path instead. */
    private static boolean listen(ConfigLine line, String keyword, String form, String listen) throws SshConfigException {
        if (listen.indexOf('/') >= 0) {
            return true;
        }
        try {
            List<String> fields = SpecSyntax.fields(listen);
            if (fields.size() > 2) {
                throw new IllegalArgumentException("the listen address '" + listen + "' has " + fields.size()
                        + " fields, not [bind_address:]port (put an IPv6 address in brackets)");
            }
            SpecSyntax.port(fields.getLast(), "the listen port");
        } catch (IllegalArgumentException e) {
            throw Settings.bad(line, keyword, e.getMessage(), form);
        }
        return false;
    }

    /** Checks {@code host:hostport}; returns true when it is a Unix socket path instead. */
    private static boolean target(ConfigLine line, String keyword, String form, String target) throws SshConfigException {
        if (target.indexOf('/') >= 0) {
            return true;
        }
        try {
            List<String> fields = SpecSyntax.fields(target);
            if (fields.size() != 2) {
                throw new IllegalArgumentException("the destination '" + target + "' is not host:hostport"
                        + (fields.size() > 2 ? " (put an IPv6 address in brackets)" : ""));
            }
            if (fields.getFirst().isEmpty()) {
                throw new IllegalArgumentException("the destination host is empty");
            }
            if (SpecSyntax.port(fields.getLast(), "the destination port") == 0) {
                throw new IllegalArgumentException("the destination port 0 is not a port to connect to (1 to 65535)");
            }
        } catch (IllegalArgumentException e) {
            throw Settings.bad(line, keyword, e.getMessage(), form);
        }
        return false;
    }

    private static Setting forward(ConfigLine line, String type, String spec) {
        ConfigForward forward = new ConfigForward(type, spec, line.origin());
        return Settings.setting(line, r -> r.forwards.add(forward));
    }

    private static Setting unsupported(ConfigLine line, String problem) {
        Origin at = line.origin();
        return Settings.setting(line, r -> {
            throw new SshConfigException(at, problem);
        });
    }

    private static String socketProblem(String keyword) {
        return keyword + " with a '/' names a Unix socket for OpenSSH, and Caret forwards only TCP ports";
    }
}
