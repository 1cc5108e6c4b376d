package caret.core;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plugin jars dropped in a folder, loaded in a module layer of their own on top of the engine's:
 * each jar is a module (named, or automatic when it has no module-info). A jar that cannot be read,
 * whose module cannot be resolved, or that provides no forward type or transport is reported and
 * left out; the others load.
 */
final class PluginLayer {

    private static final Set<String> SERVICES = Set.of("caret.spi.ForwardType", "caret.spi.SshTransport");

    private PluginLayer() {
    }

    /**
     * Builds the layer from the jars in {@code folders}; missing folders are skipped.
     *
     * @return the layer, or empty when there is no usable plugin jar
     */
    static Optional<ModuleLayer> load(List<Path> folders, List<DiscoveryIssue> issues) {
        Map<String, Path> modules = new LinkedHashMap<>();
        for (Path folder : folders) {
            for (Path jar : jars(folder, issues)) {
                readModule(jar, issues).ifPresent(name -> {
                    Path other = modules.putIfAbsent(name, jar);
                    if (other != null) {
                        issues.add(error("Plugin jars " + other + " and " + jar + " both hold module " + name
                                + ": " + jar + " is skipped; remove one of them"));
                    }
                });
            }
        }
        if (modules.isEmpty()) {
            return Optional.empty();
        }
        ModuleLayer parent = PluginLayer.class.getModule().getLayer() != null
                ? PluginLayer.class.getModule().getLayer() : ModuleLayer.boot();
        while (!modules.isEmpty()) {
            ModuleFinder finder = ModuleFinder.of(modules.values().toArray(Path[]::new));
            try {
                Configuration configuration = parent.configuration().resolveAndBind(finder, ModuleFinder.of(), modules.keySet());
                return Optional.of(parent.defineModulesWithOneLoader(configuration, PluginLayer.class.getClassLoader()));
            } catch (FindException | ResolutionException | LayerInstantiationException e) {
                String culprit = culprit(parent, modules).orElse(null);
                if (culprit == null) {
                    issues.add(error("Plugin jars in " + folders + " cannot be loaded together: " + e.getMessage()
                            + ". No plugin jar is loaded; remove the jar it names."));
                    return Optional.empty();
                }
                Path jar = modules.remove(culprit);
                issues.add(error("Plugin jar " + jar + " (module " + culprit + ") cannot be loaded: "
                        + reason(parent, culprit, jar) + ". Other plugins still work."));
            }
        }
        return Optional.empty();
    }

    private static List<Path> jars(Path folder, List<DiscoveryIssue> issues) {
        List<Path> jars = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return jars;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.jar")) {
            entries.forEach(jars::add);
        } catch (IOException e) {
            issues.add(error("Cannot list the plugin folder " + folder + ": " + e.getMessage()));
        }
        jars.sort(null);
        return jars;
    }

    /** The jar's module name, if the jar is a usable module that provides a Caret service. */
    private static Optional<String> readModule(Path jar, List<DiscoveryIssue> issues) {
        Set<ModuleReference> found;
        try {
            found = ModuleFinder.of(jar).findAll();
        } catch (FindException e) {
            issues.add(error("Plugin jar " + jar + " is broken: " + rootMessage(e) + ". It is skipped; other plugins still work."));
            return Optional.empty();
        }
        if (found.isEmpty()) {
            issues.add(error("Plugin jar " + jar + " holds no module. It is skipped."));
            return Optional.empty();
        }
        ModuleDescriptor descriptor = found.iterator().next().descriptor();
        boolean provides = descriptor.provides().stream().anyMatch(p -> SERVICES.contains(p.service()));
        if (!provides) {
            issues.add(new DiscoveryIssue(DiscoveryIssue.Severity.WARNING, "Plugin jar " + jar + " (module " + descriptor.name()
                    + ") provides no forward type or transport: its module-info needs 'provides caret.spi.ForwardType with …'"
                    + " or 'provides caret.spi.SshTransport with …'. It is skipped."));
            return Optional.empty();
        }
        return Optional.of(descriptor.name());
    }

    /** The first module that cannot be resolved on its own, to leave out. */
    private static Optional<String> culprit(ModuleLayer parent, Map<String, Path> modules) {
        for (Map.Entry<String, Path> module : modules.entrySet()) {
            if (!reason(parent, module.getKey(), module.getValue()).isEmpty()) {
                return Optional.of(module.getKey());
            }
        }
        return Optional.empty();
    }

    /** Why one module cannot be resolved and defined alone; empty if it can. */
    private static String reason(ModuleLayer parent, String module, Path jar) {
        try {
            Configuration alone = parent.configuration().resolveAndBind(ModuleFinder.of(jar), ModuleFinder.of(), Set.of(module));
            parent.defineModulesWithOneLoader(alone, PluginLayer.class.getClassLoader());
            return "";
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            return rootMessage(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
    }

    private static DiscoveryIssue error(String message) {
        return new DiscoveryIssue(DiscoveryIssue.Severity.ERROR, message);
    }
}
