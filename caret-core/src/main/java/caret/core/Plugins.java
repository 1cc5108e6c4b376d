package caret.core;

import caret.spi.ForwardType;
import caret.spi.SshTransport;
import java.lang.module.ModuleDescriptor;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import java.util.function.Predicate;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward types and transports found with {@link ServiceLoader}, and the issues met on the way.
 * Each provider loads in its own try: one that fails is reported and skipped. An id claimed twice
 * is disabled, naming both claimants; an id must be short, lowercase and not blank.
 */
final class Plugins {

    private static final Logger log = LoggerFactory.getLogger(Plugins.class);
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Map<String, ForwardType> forwardTypes;
    private final Map<String, SshTransport> transports;
    private final List<PluginInfo> infos;
    private final List<DiscoveryIssue> issues;

    private Plugins(Map<String, ForwardType> forwardTypes, Map<String, SshTransport> transports,
            List<PluginInfo> infos, List<DiscoveryIssue> issues) {
        this.forwardTypes = Collections.unmodifiableMap(forwardTypes);
        this.transports = Collections.unmodifiableMap(transports);
        this.infos = List.copyOf(infos);
        this.issues = List.copyOf(issues);
    }

    /**
     * Discovers every provider visible to {@code loader} (its modules and its class path), then those
     * of {@code plugins}, a layer of plugin jars. A plugin may not take an id that is built in.
     */
    static Plugins discover(ClassLoader loader, Optional<ModuleLayer> plugins, List<DiscoveryIssue> layerIssues) {
        List<DiscoveryIssue> issues = new ArrayList<>(layerIssues);
        Found<ForwardType> types = load(ServiceLoader.load(ForwardType.class, loader), t -> true, PluginInfo.Kind.FORWARD_TYPE,
                ForwardType::id, ForwardType::description, issues);
        Found<SshTransport> transports = load(ServiceLoader.load(SshTransport.class, loader), t -> true, PluginInfo.Kind.TRANSPORT,
                SshTransport::id, SshTransport::description, issues);
        if (plugins.isPresent()) {
            ModuleLayer layer = plugins.get();
            types.add(load(ServiceLoader.load(layer, ForwardType.class), t -> t.getClass().getModule().getLayer() == layer,
                    PluginInfo.Kind.FORWARD_TYPE, ForwardType::id, ForwardType::description, issues), issues);
            transports.add(load(ServiceLoader.load(layer, SshTransport.class), t -> t.getClass().getModule().getLayer() == layer,
                    PluginInfo.Kind.TRANSPORT, SshTransport::id, SshTransport::description, issues), issues);
        }
        if (types.byId.isEmpty()) {
            issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                    "No forward types found on the module path or class path: add plugin-local, plugin-reverse"
                            + " or plugin-dynamic there (the launcher keeps them in caret-launcher/target/mods)"));
        }
        if (transports.byId.isEmpty()) {
            issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                    "No SSH transports found on the module path or class path: add transport-sshd there"
                            + " (the launcher keeps it in caret-launcher/target/mods)"));
        }
        issues.forEach(issue -> log.debug("discovery: {}", issue));
        List<PluginInfo> infos = new ArrayList<>(types.infos.values());
        infos.addAll(transports.infos.values());
        return new Plugins(types.byId, transports.byId, infos, issues);
    }

    Map<String, ForwardType> forwardTypes() {
        return forwardTypes;
    }

    Map<String, SshTransport> transports() {
        return transports;
    }

    List<PluginInfo> infos() {
        return infos;
    }

    List<DiscoveryIssue> issues() {
        return issues;
    }

    /** The usable providers of one service from one source, by id, and the ids that were disabled. */
    private record Found<T>(PluginInfo.Kind kind, Map<String, T> byId, Map<String, PluginInfo> infos, Set<String> disabled) {

        /** Adds plugins from a later source: an id already taken here stays with its first owner. */
        void add(Found<T> plugins, List<DiscoveryIssue> issues) {
            for (Map.Entry<String, T> entry : plugins.byId.entrySet()) {
                String id = entry.getKey();
                PluginInfo plugin = plugins.infos.get(id);
                if (byId.containsKey(id) || disabled.contains(id)) {
                    PluginInfo builtIn = infos.get(id);
                    issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, "Plugin " + plugin.module() + " ("
                            + plugin.location() + ") claims the " + kindName(kind).toLowerCase(java.util.Locale.ROOT) + " id '" + id
                            + "', which is built in" + (builtIn == null ? "" : " (" + builtIn.module() + ")")
                            + ": the plugin's is skipped. Give it another id."));
                } else {
                    byId.put(id, entry.getValue());
                    infos.put(id, plugin);
                }
            }
        }
    }

    private static <T> Found<T> load(ServiceLoader<T> loader, Predicate<T> accept, PluginInfo.Kind kind,
            Function<T, String> idOf, Function<T, String> descriptionOf, List<DiscoveryIssue> issues) {
        String kindName = kindName(kind);
        Found<T> found = new Found<>(kind, new LinkedHashMap<>(), new LinkedHashMap<>(), new HashSet<>());
        Iterator<T> it = loader.iterator();
        while (true) {
            T provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                        kindName + " plugin failed to load: " + rootMessage(e) + ". Other plugins still work."));
                continue;
            }
            if (!accept.test(provider)) {
                continue;
            }
            String id;
            String description;
            try {
                id = idOf.apply(provider);
                description = descriptionOf.apply(provider);
            } catch (RuntimeException | LinkageError e) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                        kindName + " " + provider.getClass().getName() + " (" + where(provider.getClass())
                                + ") failed to describe itself: " + rootMessage(e) + ". Other plugins still work."));
                continue;
            }
            PluginInfo info = describe(kind, provider.getClass(), id == null ? "" : id, description == null ? "" : description);
            if (id == null || !ID.matcher(id).matches()) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                        kindName + " " + provider.getClass().getName() + " (" + info.location() + ") has the id '" + id
                                + "': an id is 1 to 32 lowercase letters, digits or '-', starting with a letter. It is off."));
                continue;
            }
            if (found.disabled.contains(id)) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, kindName + " '" + id
                        + "' is also provided by " + info.module() + " (" + info.location() + "): remove the extra jars."));
                continue;
            }
            PluginInfo first = found.infos.get(id);
            if (first != null) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, kindName + " '" + id + "' is provided twice: "
                        + first.module() + " (" + first.location() + ") and " + info.module() + " (" + info.location()
                        + "). '" + id + "' is off: remove one jar."));
                found.byId.remove(id);
                found.infos.remove(id);
                found.disabled.add(id);
                continue;
            }
            found.byId.put(id, provider);
            found.infos.put(id, info);
        }
        return found;
    }

    private static String kindName(PluginInfo.Kind kind) {
        return kind == PluginInfo.Kind.FORWARD_TYPE ? "Forward type" : "Transport";
    }

    private static PluginInfo describe(PluginInfo.Kind kind, Class<?> type, String id, String description) {
        Module module = type.getModule();
        String moduleName = module.isNamed() ? module.getName() : "unnamed";
        String version = module.isNamed()
                ? module.getDescriptor().version().map(ModuleDescriptor.Version::toString)
                        .or(() -> module.getDescriptor().rawVersion()).orElse("-")
                : "-";
        return new PluginInfo(kind, id, description, moduleName, version, where(type));
    }

    private static String where(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? "-" : source.getLocation().getPath();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
