package caret.launcher;

import caret.core.Caret;
import caret.core.ForwardState;
import caret.core.ForwardStatus;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.core.Reconnect;
import caret.core.Server;
import caret.launcher.config.CaretConfig;
import caret.launcher.config.ConfigContext;
import caret.launcher.config.ConfigException;
import caret.launcher.config.ConfigFile;
import caret.launcher.config.ForwardConfig;
import caret.launcher.config.ServerConfig;
import caret.launcher.control.ControlHandler;
import caret.launcher.control.Json;
import caret.launcher.sshconfig.JumpHost;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.InvalidSpecException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code caret up [FILE]}: every server of a configuration file and every forward that is on, kept
 * up: servers that are down are retried in the background while the others run; a dropped
 * connection comes back with what was on; {@code caret reload} applies an edited file, and a bad
 * one changes nothing.
 */
@Command(name = "up", description = {"Bring up every server and every enabled forward of a configuration file and keep them up.",
        "Default file: $XDG_CONFIG_HOME/caret/caret.json, else ~/.config/caret/caret.json (see docs/configuration.md).",
        "Control it with 'caret status', 'caret on|off|add|remove', 'caret reload', 'caret save' and 'caret -O exit',",
        "or from the dashboard in a browser: --ui here, or 'caret ui' later."},
        mixinStandardHelpOptions = true, sortOptions = false)
final class UpCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The configuration file.")
    Path file;

    ControlSocketOption control = new ControlSocketOption();
    @Mixin
    CommandSpec controlMixin = control.mixin();

    PluginPathOption plugins = new PluginPathOption();
    @Mixin
    CommandSpec pluginsMixin = plugins.mixin();

    @Option(names = "--on-event", paramLabel = "CMD",
            description = "Run CMD (with sh -c) with each forward's outage, return or failure as JSON on its standard input;"
                    + " overrides the file's onEvent.")
    String onEvent;

    @Option(names = "-v", description = "Verbose, as for caret.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--ui", description = "Serve the dashboard on 127.0.0.1 at a port of its own and print its address"
            + " with a token; opens a browser on a desktop (see --no-browser).")
    boolean ui;

    @Mixin
    DashboardOptions dashboard = new DashboardOptions();

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Caret caret;
    private Path path;
    private CaretConfig config;
    private final Map<String, Server> running = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose.length);
        PrintWriter err = spec.commandLine().getErr();
        path = file != null ? SshOptions.expandHome(file.toString()) : ConfigFile.defaultPath();
        try (Caret loaded = Caret.load(plugins.folders())) {
            caret = loaded;
            loaded.issues().forEach(issue -> err.println("Warning: " + issue.message()));
            try {
                config = read();
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return CaretCommand.USAGE;
            }
            config.warnings().forEach(warning -> err.println("Warning: " + warning));
            err.flush();
            try (ForwardingClient client = new ForwardingClient(loaded, System.out, System.err)) {
                ControlHandler handler;
                try {
                    handler = client.control(control.path(), new FileLink());
                } catch (IOException e) {
                    err.println("Error: " + e.getMessage());
                    return ForwardingClient.CONNECTION_FAILED;
                }
                if (ui) {
                    client.dashboard(dashboard.start(handler, new PrintWriter(System.out, true)));
                }
                client.onEvent(new EventHook(this::eventCommand));
                synchronized (this) {
                    for (ServerConfig server : config.servers()) {
                        bringUp(server, new ArrayList<>());
                    }
                }
                return client.awaitEnd();
            }
        }
    }

    private CaretConfig read() throws ConfigException {
        return ConfigFile.read(path, new ConfigContext(caret.forwardTypeIds(), caret.transportIds(),
                (kind, text, options) -> caret.parse(kind, text, options)));
    }

    private String eventCommand(String server) {
        if (onEvent != null) {
            return onEvent;
        }
        CaretConfig now = config;
        String own = now.servers().stream().filter(s -> s.name().equals(server)).findFirst()
                .map(ServerConfig::onEvent).orElse(null);
        return own != null ? own : now.onEvent();
    }

    /** Opens a server (it connects in the background) and adds its forwards. */
    private void bringUp(ServerConfig server, List<String> problems) {
        Server opened = caret.open(server.name(), server.transport() == null ? "sshd" : server.transport(),
                settings(server), Reconnect.DEFAULT);
        running.put(server.name(), opened);
        for (ForwardConfig forward : server.forwards()) {
            add(opened, forward, problems);
        }
    }

    private void add(Server server, ForwardConfig forward, List<String> problems) {
        try {
            server.add(forward.name(), caret.parse(forward.kind(), forward.spec(), forward.options()), forward.enabled());
        } catch (ForwardException | InvalidSpecException | IllegalArgumentException e) {
            problems.add(server.name() + "/" + forward.name() + ": " + e.getMessage());
        }
    }

    /** Reads the file again and applies the difference; a bad file changes nothing. */
    private synchronized String reload() throws ConfigException {
        CaretConfig fresh = read();
        Map<String, ServerConfig> before = byName(config.servers());
        Map<String, ServerConfig> after = byName(fresh.servers());
        List<String> changes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                caret.close(running.remove(name));
                changes.add("removed server " + name);
            }
        }
        for (ServerConfig server : after.values()) {
            ServerConfig was = before.get(server.name());
            if (was == null) {
                bringUp(server, problems);
                changes.add("added server " + server.name());
            } else if (!connection(was).equals(connection(server))) {
                caret.close(running.remove(server.name()));
                bringUp(server, problems);
                changes.add("reconnecting " + server.name() + " with its new settings");
            } else {
                sync(running.get(server.name()), was, server, changes, problems);
            }
        }
        config = fresh;
        String summary = "Reloaded " + path + ": " + (changes.isEmpty() ? "nothing changed" : String.join("; ", changes));
        return problems.isEmpty() ? summary : summary + "\nProblems:\n  " + String.join("\n  ", problems);
    }

    private void sync(Server server, ServerConfig was, ServerConfig now, List<String> changes, List<String> problems) {
        Map<String, ForwardConfig> before = forwardsByName(was);
        Map<String, ForwardConfig> after = forwardsByName(now);
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                server.remove(name);
                changes.add("removed " + server.name() + "/" + name);
            }
        }
        for (ForwardConfig forward : after.values()) {
            ForwardConfig old = before.get(forward.name());
            String qualified = server.name() + "/" + forward.name();
            if (old == null) {
                add(server, forward, problems);
                changes.add("added " + qualified);
            } else if (!old.kind().equals(forward.kind()) || !old.spec().equals(forward.spec())
                    || !old.options().equals(forward.options())) {
                server.remove(forward.name());
                add(server, forward, problems);
                changes.add("restarted " + qualified + " with its new spec");
            } else if (old.enabled() != forward.enabled()) {
                try {
                    if (forward.enabled()) {
                        server.switchOn(forward.name());
                    } else {
                        server.switchOff(forward.name());
                    }
                } catch (ForwardException e) {
                    problems.add(qualified + ": " + e.getMessage());
                }
                changes.add((forward.enabled() ? "switched on " : "switched off ") + qualified);
            }
        }
    }

    /**
     * Writes the forwards as they run now into the file: the servers' settings and each forward that
     * did not change are kept as written (with their options), changed and added forwards are
     * written as kind and spec, removed ones are left out, and {@code enabled} follows whether each
     * is on. Refused when the file changed since it was read, which would lose those edits.
     */
    private synchronized String save() throws IOException, ConfigException {
        CaretConfig onDisk = read();
        if (!sameSettings(onDisk, config)) {
            throw new IllegalArgumentException(path + " was edited since Caret read it: 'caret reload' applies it first,"
                    + " or saving would overwrite those edits");
        }
        ObjectNode root = (ObjectNode) Json.mapper().readTree(Files.readString(path));
        ObjectNode servers = (ObjectNode) root.get("servers");
        int written = 0;
        for (Map.Entry<String, Server> entry : running.entrySet()) {
            ObjectNode server = (ObjectNode) servers.get(entry.getKey());
            JsonNode before = server.path("forwards");
            Map<String, ForwardConfig> was = forwardsByName(byName(config.servers()).get(entry.getKey()));
            ObjectNode forwards = Json.mapper().createObjectNode();
            for (ForwardStatus forward : entry.getValue().status().forwards()) {
                forwards.set(forward.name(), node(forward, was.get(forward.name()), before.get(forward.name())));
                written++;
            }
            server.set("forwards", forwards);
        }
        Path target = path.toRealPath();
        Path temporary = Files.createTempFile(target.getParent(), ".caret-save-", ".json");
        try {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            Files.writeString(temporary, Json.pretty().writeValueAsString(root) + "\n");
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        config = read();
        return "Saved " + written + " forward" + (written == 1 ? "" : "s") + " to " + path;
    }

    private static ObjectNode node(ForwardStatus forward, ForwardConfig was, JsonNode written) {
        boolean on = forward.state() != ForwardState.OFF;
        ObjectNode node;
        if (was != null && written instanceof ObjectNode kept && was.kind().equals(forward.spec().type())
                && was.spec().equals(forward.spec().text()) && was.options().equals(forward.spec().options())) {
            node = kept.deepCopy();
        } else {
            node = Json.mapper().createObjectNode();
            node.put("kind", forward.spec().type());
            node.put("spec", forward.spec().text());
            if (!forward.spec().options().isEmpty()) {
                ObjectNode options = node.putObject("options");
                forward.spec().options().forEach(options::put);
            }
        }
        if (!on) {
            node.put("enabled", false);
        } else if (node.has("enabled")) {
            node.put("enabled", true);
        }
        return node;
    }

    private static boolean sameSettings(CaretConfig a, CaretConfig b) {
        return a.servers().equals(b.servers()) && Objects.equals(a.onEvent(), b.onEvent());
    }

    /** The file for the control socket's {@code reload} and {@code save}. */
    private final class FileLink implements Instance.Config {

        @Override
        public Path path() {
            return path;
        }

        @Override
        public String reload() throws ConfigException {
            return UpCommand.this.reload();
        }

        @Override
        public String save() throws IOException, ConfigException {
            return UpCommand.this.save();
        }
    }

    private static Map<String, ForwardConfig> forwardsByName(ServerConfig server) {
        Map<String, ForwardConfig> map = new LinkedHashMap<>();
        server.forwards().forEach(forward -> map.put(forward.name(), forward));
        return map;
    }

    private static Map<String, ServerConfig> byName(List<ServerConfig> servers) {
        Map<String, ServerConfig> map = new LinkedHashMap<>();
        servers.forEach(server -> map.put(server.name(), server));
        return map;
    }

    /** A server's settings without its forwards and event command: what needs a new connection when it changes. */
    private static ServerConfig connection(ServerConfig server) {
        return new ServerConfig(server.name(), server.host(), server.port(), server.user(), server.identities(),
                server.knownHosts(), server.hostKeyPolicy(), server.keepaliveInterval(), server.keepaliveCountMax(),
                server.connectTimeout(), server.transport(), server.proxyJump(), null, List.of());
    }

    private static ConnectionSettings settings(ServerConfig server) {
        Optional<UserPrompt> prompt = UserPrompt.choose(false);
        List<Path> identities = server.identities().isEmpty() ? SshDefaults.identities() : server.identities();
        List<Path> knownHosts = server.knownHosts().isEmpty() ? SshDefaults.knownHosts() : server.knownHosts();
        HostKeyPolicy policy = server.hostKeyPolicy() == null ? HostKeyPolicy.ASK : server.hostKeyPolicy();
        String user = server.user() == null ? System.getProperty("user.name") : server.user();
        ConnectionSettings settings = new ConnectionSettings(new Endpoint(server.host(), server.port()), user, identities,
                Caret.knownHosts(knownHosts, policy, prompt.<HostKeyPrompt>map(p -> p).orElse(HostKeyPrompt.NONE)),
                prompt.<CredentialPrompt>map(p -> p).orElse(CredentialPrompt.NONE),
                server.keepaliveInterval() == null ? SshDefaults.KEEPALIVE_INTERVAL : server.keepaliveInterval(),
                server.keepaliveCountMax() == null ? SshDefaults.KEEPALIVE_COUNT_MAX : server.keepaliveCountMax(),
                server.connectTimeout() == null ? SshDefaults.CONNECT_TIMEOUT : server.connectTimeout());
        if (server.proxyJump() == null) {
            return settings;
        }
        JumpHost via = JumpHost.parse(server.proxyJump());
        return settings.withJump(Jumps.through(settings, via.user().orElse(user),
                new Endpoint(via.host(), via.port().orElse(22))));
    }
}
