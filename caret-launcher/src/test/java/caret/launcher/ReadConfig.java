package caret.launcher;

import caret.core.Caret;
import caret.launcher.config.CaretConfig;
import caret.launcher.config.ConfigContext;
import caret.launcher.config.ConfigException;
import caret.launcher.config.ConfigFile;
import java.nio.file.Path;

/**
 * Reads one configuration file as {@code caret up} will, for {@link ConfigOnTheModulePathTest}:
 * prints each forward's spec and exits 0, or prints the problems and exits 1.
 */
public final class ReadConfig {

    private ReadConfig() {
    }

    public static void main(String[] args) {
        try (Caret caret = Caret.load()) {
            CaretConfig config = ConfigFile.read(Path.of(args[0]),
                    new ConfigContext(caret.forwardTypeIds(), caret.transportIds(), (kind, spec, options) -> caret.parse(kind, spec)));
            config.servers().forEach(server -> server.forwards().forEach(forward ->
                    System.out.println(server.name() + " " + forward.name() + " " + forward.kind() + " " + forward.spec())));
        } catch (ConfigException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
