package caret.launcher;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.ForwardStatus;
import caret.core.Server;
import caret.launcher.control.ControlHandler;
import caret.launcher.control.ControlReply;
import caret.launcher.control.ControlRequest;
import caret.launcher.control.ServerReport;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.InvalidSpecException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The running instance as its control socket sees it: every server and forward, switched on and
 * off, added and removed by name, as {@code caret on|off|add|remove|status} and OpenSSH's
 * {@code -O check|exit|forward|cancel} ask.
 */
final class Instance implements ControlHandler {

    /** The configuration file the instance runs. */
    interface Config {

        Path path();

        /** Reads the file again and applies the difference; says what changed or why nothing did. */
        String reload() throws Exception;

        /** Writes the forwards as they are now into the file; says what it wrote. */
        String save() throws Exception;
    }

    private final Caret caret;
    private final Runnable exit;
    private final Config config;

    /**
     * @param exit ends the instance, after the reply to {@code exit} is sent
     * @param config the configuration file, for {@code reload} and {@code save}; {@code null} when there is none
     */
    Instance(Caret caret, Runnable exit, Config config) {
        this.caret = caret;
        this.exit = exit;
        this.config = config;
    }

    @Override
    public ControlReply handle(ControlRequest request) {
        try {
            return switch (request.op().toLowerCase(Locale.ROOT)) {
                case "status" -> new ControlReply(true, null, caret.servers().stream()
                        .map(server -> ServerReport.of(server.status())).toList(),
                        config == null ? null : config.path().toString());
                case "check" -> check(request.server());
                case "exit" -> ControlReply.done("Exit request sent.");
                case "on" -> on(request.forward());
                case "off" -> off(request.forward());
                case "remove" -> remove(request.forward());
                case "add" -> add(request);
                case "forward" -> forward(request);
                case "cancel" -> cancel(request);
                case "reload" -> config == null
                        ? ControlReply.refused("This Caret was started without a configuration file: nothing to reload")
                        : ControlReply.done(config.reload());
                case "save" -> config == null
                        ? ControlReply.refused("This Caret was started without a configuration file: nothing to save to;"
                                + " 'caret up FILE' runs one")
                        : ControlReply.done(config.save());
                default -> ControlReply.refused("Unknown request '" + request.op()
                        + "': use status, check, exit, on, off, add, remove, forward, cancel, reload or save");
            };
        } catch (IllegalArgumentException | InvalidSpecException | ForwardException e) {
            return ControlReply.refused(e.getMessage());
        } catch (Exception e) {
            return ControlReply.refused("Failed: " + e.getMessage());
        }
    }

    @Override
    public void replied(ControlRequest request) {
        if ("exit".equalsIgnoreCase(request.op())) {
            exit.run();
        }
    }

    private ControlReply check(String host) {
        Server server = server(host);
        var status = server.status();
        String state = switch (status.state()) {
            case UP -> "connected";
            case CONNECTING -> "connecting";
            case RECONNECTING -> "reconnecting (attempt " + status.attempt() + "): " + status.lastError();
            case FAILED -> "failed: " + status.lastError();
            case CLOSED -> "closed";
        };
        return ControlReply.done("Caret running (pid=" + ProcessHandle.current().pid() + "): " + server.name()
                + " " + state);
    }

    private ControlReply on(String ref) throws ForwardException {
        Named named = forward(ref);
        named.server().switchOn(named.name());
        return ControlReply.done(describe(named));
    }

    private ControlReply off(String ref) {
        Named named = forward(ref);
        named.server().switchOff(named.name());
        return ControlReply.done(named.server().name() + "/" + named.name() + " is off; its ports are free");
    }

    private ControlReply remove(String ref) {
        Named named = forward(ref);
        named.server().remove(named.name());
        return ControlReply.done(named.server().name() + "/" + named.name() + " removed");
    }

    private ControlReply add(ControlRequest request) throws InvalidSpecException, ForwardException {
        Server server = server(request.server());
        ForwardSpec spec = parse(request.kind(), request.spec(), request.options());
        String name = request.name() != null ? request.name() : spec.type() + " " + spec.text();
        boolean on = request.enabled() == null || request.enabled();
        try {
            server.add(name, spec, on);
        } catch (ForwardException e) {
            throw new ForwardException(e.reason(), e.getMessage() + " (" + server.name() + "/" + name
                    + " is kept, failed: fix this and 'caret on " + name + "', or 'caret remove " + name + "')", e);
        }
        Named named = new Named(server, name);
        return ControlReply.done(on ? describe(named) : server.name() + "/" + name + " added, off");
    }

    /** OpenSSH's {@code -O forward}: start it now, or fail and leave nothing behind. */
    private ControlReply forward(ControlRequest request) throws InvalidSpecException, ForwardException {
        Server server = server(request.server());
        Forward forward = server.start(parse(request.kind(), request.spec(), request.options()));
        return ControlReply.done(describe(new Named(server, forward.name())));
    }

    /**
     * OpenSSH's {@code -O cancel}: by the whole spec, by its listening part ({@code [bind:]port}),
     * or by the port it was given (for a forward on port 0). Refuses when that names several.
     */
    private ControlReply cancel(ControlRequest request) {
        Server server = server(request.server());
        String wanted = request.spec();
        List<ForwardStatus> matches = server.status().forwards().stream()
                .filter(f -> f.spec().type().equals(request.kind()))
                .filter(f -> f.spec().text().equals(wanted) || f.spec().text().startsWith(wanted + ":")
                        || f.connectTo().map(address -> wanted.equals(Integer.toString(address.port()))).orElse(false))
                .toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("No " + request.kind() + " forward " + wanted + " on " + server.name()
                    + ": 'caret status' lists them");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException(request.kind() + " " + wanted + " matches several forwards: "
                    + String.join(", ", matches.stream().map(ForwardStatus::name).toList())
                    + "; cancel one by the port it listens on, or 'caret remove NAME'");
        }
        server.remove(matches.getFirst().name());
        return ControlReply.done("Cancelled " + matches.getFirst().name());
    }

    private ForwardSpec parse(String kind, String spec, Map<String, String> options) throws InvalidSpecException {
        if (kind == null || spec == null) {
            throw new IllegalArgumentException("A forward needs a kind and a spec, such as -L 8080:127.0.0.1:80");
        }
        return caret.parse(kind, spec, options == null ? Map.of() : options);
    }

    private String describe(Named named) {
        ForwardStatus status = named.server().forward(named.name()).orElseThrow().status();
        String where = status.connectTo()
                .map(address -> "connect to " + address + (status.onServer() ? " on the server" : ""))
                .orElse(status.state().name().toLowerCase(Locale.ROOT)
                        + status.error().map(error -> ": " + error).orElse(""));
        return named.server().name() + "/" + named.name() + " is on: " + where;
    }

    /** A server by name or host; any server's name is accepted when there is only one, as ssh's -O ignores it. */
    private Server server(String ref) {
        List<Server> servers = caret.servers();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("This Caret has no servers");
        }
        if (ref != null) {
            for (Server server : servers) {
                if (server.name().equals(ref) || server.endpoint().host().equals(ref)
                        || server.endpoint().toString().equals(ref)) {
                    return server;
                }
            }
        }
        if (servers.size() == 1) {
            return servers.getFirst();
        }
        throw new IllegalArgumentException((ref == null ? "Which server? " : "No server '" + ref + "'; ")
                + "this Caret has " + String.join(", ", servers.stream().map(Server::name).toList()));
    }

    /** A forward by {@code SERVER/NAME}, {@code NAME} or spec, unique across servers. */
    private Named forward(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("Which forward? Give its name: 'caret status' lists them");
        }
        List<Named> found = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (Server server : caret.servers()) {
            for (ForwardStatus forward : server.status().forwards()) {
                String qualified = server.name() + "/" + forward.name();
                all.add(qualified);
                if (ref.equals(qualified) || ref.equals(forward.name()) || ref.equals(forward.spec().text())) {
                    found.add(new Named(server, forward.name()));
                }
            }
        }
        if (found.size() == 1) {
            return found.getFirst();
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("No forward '" + ref + "'"
                    + (all.isEmpty() ? "; there are none" : "; there are: " + String.join(", ", all)));
        }
        throw new IllegalArgumentException("'" + ref + "' names several forwards: "
                + String.join(", ", found.stream().map(n -> n.server().name() + "/" + n.name()).toList())
                + "; write SERVER/NAME");
    }

    private record Named(Server server, String name) {
    }
}
