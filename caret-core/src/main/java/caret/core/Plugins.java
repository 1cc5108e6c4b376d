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

    /** Discovers every provider visible to {@code loader}: its modules and its class path. */
    static Plugins discover(ClassLoader loader) {
        List<PluginInfo> infos = new ArrayList<>();
        List<DiscoveryIssue> issues = new ArrayList<>();
        Map<String, ForwardType> types = load(ServiceLoader.load(ForwardType.class, loader), PluginInfo.Kind.FORWARD_TYPE,
                ForwardType::id, ForwardType::description, infos, issues);
        Map<String, SshTransport> transports = load(ServiceLoader.load(SshTransport.class, loader), PluginInfo.Kind.TRANSPORT,
                SshTransport::id, SshTransport::description, infos, issues);
        if (types.isEmpty()) {
            issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                    "No forward types found on the module path or class path: add plugin-local, plugin-reverse"
                            + " or plugin-dynamic there (the launcher keeps them in caret-launcher/target/mods)"));
        }
        if (transports.isEmpty()) {
            issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR,
                    "No SSH transports found on the module path or class path: add transport-sshd there"
                            + " (the launcher keeps it in caret-launcher/target/mods)"));
        }
        issues.forEach(issue -> log.debug("discovery: {}", issue));
        return new Plugins(types, transports, infos, issues);
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

    private static <T> Map<String, T> load(ServiceLoader<T> loader, PluginInfo.Kind kind,
            Function<T, String> idOf, Function<T, String> descriptionOf,
            List<PluginInfo> infos, List<DiscoveryIssue> issues) {
        String kindName = kind == PluginInfo.Kind.FORWARD_TYPE ? "Forward type" : "Transport";
        Map<String, T> byId = new LinkedHashMap<>();
        Map<String, PluginInfo> infoById = new LinkedHashMap<>();
        List<String> disabled = new ArrayList<>();
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
            if (disabled.contains(id)) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, kindName + " '" + id
                        + "' is also provided by " + info.module() + " (" + info.location() + "): remove the extra jars."));
                continue;
            }
            PluginInfo first = infoById.get(id);
            if (first != null) {
                issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, kindName + " '" + id + "' is provided twice: "
                        + first.module() + " (" + first.location() + ") and " + info.module() + " (" + info.location()
                        + "). '" + id + "' is off: remove one jar."));
                byId.remove(id);
                infos.remove(first);
                disabled.add(id);
                continue;
            }
            byId.put(id, provider);
            infoById.put(id, info);
            infos.add(info);
        }
        return byId;
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
