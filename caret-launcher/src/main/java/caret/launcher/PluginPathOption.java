package caret.launcher;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where plugin jars are looked for: {@code --plugin-path DIR[:DIR…]}, else the environment variable
 * {@code CARET_PLUGIN_PATH}, else {@code ~/.caret/plugins}. Missing folders are fine.
 */
final class PluginPathOption {

    private String pluginPath;

    /** {@code --plugin-path}, bound to this object: a mixin for the commands that load plugins. */
    CommandSpec mixin() {
        CommandSpec mixin = CommandSpec.create();
        mixin.addOption(Options.option("--plugin-path", String.class, () -> pluginPath, path -> pluginPath = path)
                .paramLabel("DIR[:DIR…]")
                .description("Folders of plugin jars (forward types, transports), loaded without rebuilding Caret."
                        + " Default: $CARET_PLUGIN_PATH, else ~/.caret/plugins.")
                .build());
        return mixin;
    }

    List<Path> folders() {
        String path = pluginPath != null ? pluginPath : System.getenv("CARET_PLUGIN_PATH");
        if (path == null) {
            return List.of(Path.of(System.getProperty("user.home"), ".caret", "plugins"));
        }
        List<Path> folders = new ArrayList<>();
        for (String folder : path.split(File.pathSeparator)) {
            if (!folder.isBlank()) {
                folders.add(SshOptions.expandHome(folder.strip()));
            }
        }
        return folders;
    }
}
