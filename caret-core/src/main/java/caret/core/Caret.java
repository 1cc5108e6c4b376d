package caret.core;

import caret.spi.ConnectionSettings;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.HostKeyVerifier;
import caret.spi.InvalidSpecException;
import caret.spi.SshTransport;
import caret.spi.TransportException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's entry point. {@link #load()} finds the forward types and transports on the module
 * path and class path; {@link #connect} opens a {@link Server} on which forwards are started.
 *
 * <pre>{@code
 * try (Caret caret = Caret.load()) {
 *     Server server = caret.connect("sshd", settings);
 *     Forward db = server.start(caret.parse("local", "5432:127.0.0.1:5432"));
 *     System.out.println(db.status().connectTo());
 * }
 * }</pre>
 */
public final class Caret implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Caret.class);

    private final Plugins plugins;
    private final List<Consumer<ForwardEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ConnectionEvent>> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();

    private Caret(Plugins plugins) {
        this.plugins = plugins;
    }

    /** Discovers every forward type and transport visible to the engine. Never fails: see {@link #issues()}. */
    public static Caret load() {
        return load(List.of());
    }

    /**
     * Discovers the forward types and transports visible to the engine, and those in the plugin
     * jars in {@code pluginFolders}, which are loaded in a module layer of their own. A broken jar,
     * or one that claims a built-in id, is reported in {@link #issues()} and left out; the rest load.
     *
     * @param pluginFolders folders of plugin jars; missing ones are skipped
     */
    public static Caret load(List<Path> pluginFolders) {
        List<DiscoveryIssue> layerIssues = new ArrayList<>();
        Optional<ModuleLayer> layer = PluginLayer.load(pluginFolders, layerIssues);
        return new Caret(Plugins.discover(Caret.class.getClassLoader(), layer, layerIssues));
    }

    /** What went wrong while discovering plugins; empty when all is well. */
    public List<DiscoveryIssue> issues() {
        return plugins.issues();
    }

    /** Every usable plugin, forward types first. */
    public List<PluginInfo> plugins() {
        return plugins.infos();
    }

    /** The ids of the usable forward types. */
    public Set<String> forwardTypeIds() {
        return plugins.forwardTypes().keySet();
    }

    /** The ids of the usable transports. */
    public Set<String> transportIds() {
        return plugins.transports().keySet();
    }

    /** The forward type with this id, if one was found. */
    public Optional<ForwardType> forwardType(String id) {
        return Optional.ofNullable(plugins.forwardTypes().get(id));
    }

    /**
     * Parses a spec with the forward type {@code typeId}.
     *
     * @throws InvalidSpecException naming the spec, the problem and the expected form
     * @throws IllegalArgumentException when there is no such forward type
     */
    public ForwardSpec parse(String typeId, String spec) throws InvalidSpecException {
        return parse(typeId, spec, Map.of());
    }

    /**
     * Parses a spec with named options besides its text, such as a SOCKS proxy's {@code user} and
     * {@code password}; a type that takes no options refuses any. Option values may be secrets: they
     * are kept in {@link ForwardSpec#options()} and never shown.
     *
     * @param options option names to values; empty for none
     * @throws InvalidSpecException naming the spec, the problem and the expected form or options
     * @throws IllegalArgumentException when there is no such forward type
     */
    public ForwardSpec parse(String typeId, String spec, Map<String, String> options) throws InvalidSpecException {
        Objects.requireNonNull(options, "options");
        ForwardType type = forwardType(typeId).orElseThrow(() -> new IllegalArgumentException(
                "No forward type '" + typeId + "' is installed; available: " + String.join(", ", forwardTypeIds())
                        + ". Run 'caret plugins' to see what was found."));
        ForwardSpec parsed = type.parse(spec, options);
        if (!parsed.type().equals(typeId)) {
            throw new IllegalStateException("Forward type '" + typeId + "' returned a spec of type '" + parsed.type() + "'");
        }
        return parsed;
    }

    /**
     * Connects to a server with the transport {@code transportId}, without reconnecting: when the
     * connection drops, its forwards stop, as {@code ssh} exits. The server is named
     * {@code host:port}.
     *
     * @throws TransportException when the server cannot be reached, its host key is refused, or
     *     authentication fails; the message says what to do
     * @throws IllegalArgumentException when there is no such transport
     */
    public Server connect(String transportId, ConnectionSettings settings) throws TransportException {
        return connect(settings.server().toString(), transportId, settings, Reconnect.NEVER);
    }

    /**
     * Connects to a server now; once connected, drops are handled as {@code reconnect} says.
     *
     * @param name the server's name in status, events and log lines
     * @throws TransportException when the first connection fails; the message says what to do
     * @throws IllegalArgumentException when there is no such transport
     */
    public Server connect(String name, String transportId, ConnectionSettings settings, Reconnect reconnect)
            throws TransportException {
        Server server = server(name, transportId, settings, reconnect);
        log.debug("connecting to {} with {}", settings.server(), transportId);
        try {
            server.connectNow();
        } catch (TransportException | RuntimeException e) {
            servers.remove(server);
            throw e;
        }
        return server;
    }

    /**
     * A server that connects in the background and keeps trying with backoff until it is
     * connected or closed; forwards added meanwhile start once it is. For bringing up many servers
     * from a configuration, where one that is down must not hold up the others.
     *
     * @param name the server's name in status, events and log lines
     * @throws IllegalArgumentException when there is no such transport, or {@code reconnect} is
     *     {@link Reconnect#NEVER}
     */
    public Server open(String name, String transportId, ConnectionSettings settings, Reconnect reconnect) {
        if (!reconnect.enabled()) {
            throw new IllegalArgumentException("open() keeps trying to connect: use connect() to try once");
        }
        Server server = server(name, transportId, settings, reconnect);
        server.connectLater();
        return server;
    }

    /** The servers connected or opened and not closed, in that order. */
    public List<Server> servers() {
        return List.copyOf(servers);
    }

    private Server server(String name, String transportId, ConnectionSettings settings, Reconnect reconnect) {
        SshTransport transport = Optional.ofNullable(plugins.transports().get(transportId)).orElseThrow(() ->
                new IllegalArgumentException("No transport '" + transportId + "' is installed; available: "
                        + String.join(", ", transportIds()) + ". Run 'caret plugins' to see what was found."));
        Server server = new Server(name, transportId, transport, settings, reconnect, plugins, this::publish,
                this::publish);
        servers.add(server);
        return server;
    }

    /** Closes one server, stopping its forwards, and forgets it. */
    public void close(Server server) {
        servers.remove(server);
        server.close();
    }

    /**
     * A host key verifier that reads known_hosts files as OpenSSH does.
     *
     * @param files known_hosts files to read; new keys are added to the first
     * @param policy what to do with an unknown key (StrictHostKeyChecking)
     * @param prompt asks the user, for {@link HostKeyPolicy#ASK}
     */
    public static HostKeyVerifier knownHosts(List<Path> files, HostKeyPolicy policy, HostKeyPrompt prompt) {
        return new KnownHostsVerifier(files, policy, prompt);
    }

    /** Registers a listener for every forward's events. */
    public void addListener(Consumer<ForwardEvent> listener) {
        listeners.add(listener);
    }

    /** Registers a listener for every server's connection events. */
    public void addConnectionListener(Consumer<ConnectionEvent> listener) {
        connectionListeners.add(listener);
    }

    /** Closes every server and stops every forward. */
    @Override
    public void close() {
        servers.forEach(Server::close);
        servers.clear();
    }

    private void publish(ForwardEvent event) {
        deliver(listeners, event);
    }

    private void publish(ConnectionEvent event) {
        deliver(connectionListeners, event);
    }

    private static <E> void deliver(List<Consumer<E>> to, E event) {
        for (Consumer<E> listener : to) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}: {}", event, e.toString(), e);
            }
        }
    }
}
