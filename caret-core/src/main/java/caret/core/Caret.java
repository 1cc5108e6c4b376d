package caret.core;

import caret.spi.ConnectionSettings;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.HostKeyVerifier;
import caret.spi.InvalidSpecException;
import caret.spi.SshConnection;
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
     * Connects to a server with the transport {@code transportId}.
     *
     * @throws TransportException when the server cannot be reached, its host key is refused, or
     *     authentication fails; the message says what to do
     * @throws IllegalArgumentException when there is no such transport
     */
    public Server connect(String transportId, ConnectionSettings settings) throws TransportException {
        SshTransport transport = Optional.ofNullable(plugins.transports().get(transportId)).orElseThrow(() ->
                new IllegalArgumentException("No transport '" + transportId + "' is installed; available: "
                        + String.join(", ", transportIds()) + ". Run 'caret plugins' to see what was found."));
        log.debug("connecting to {} with {}", settings.server(), transportId);
        SshConnection connection = transport.connect(settings);
        Server server = new Server(connection, plugins, this::publish);
        servers.add(server);
        return server;
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

    /** Closes every server and stops every forward. */
    @Override
    public void close() {
        servers.forEach(Server::close);
        servers.clear();
    }

    private void publish(ForwardEvent event) {
        for (Consumer<ForwardEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}: {}", event, e.toString(), e);
            }
        }
    }
}
