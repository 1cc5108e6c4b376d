package caret.launcher;

import caret.core.Caret;
import caret.core.DiscoveryIssue;
import caret.core.PluginInfo;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code caret plugins}: every forward type and transport found, and what went wrong finding them. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the forward types and SSH transports found: id, module, version, and where each was loaded from.")
final class PluginsCommand implements Callable<Integer> {

    PluginPathOption plugins = new PluginPathOption();
    @Mixin
    CommandSpec pluginsMixin = plugins.mixin();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Logging.configure(0);
        PrintWriter out = spec.commandLine().getOut();
        try (Caret caret = Caret.load(plugins.folders())) {
            String format = "%-13s %-9s %-24s %-16s %s%n";
            out.printf(format, "KIND", "ID", "MODULE", "VERSION", "LOCATION");
            List<PluginInfo> sorted = caret.plugins().stream()
                    .sorted(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::id)).toList();
            for (PluginInfo info : sorted) {
                out.printf(format, info.kind() == PluginInfo.Kind.FORWARD_TYPE ? "forward type" : "transport",
                        info.id(), info.module(), info.version(), info.location());
            }
            for (DiscoveryIssue issue : caret.issues()) {
                out.println(issue);
            }
            out.flush();
            return caret.issues().stream().anyMatch(i -> i.severity() == DiscoveryIssue.Severity.ERROR) ? 1 : 0;
        }
    }
}
