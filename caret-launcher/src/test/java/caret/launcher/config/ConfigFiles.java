package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.core.Caret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes configuration files as {@code caret.json} in a folder and reads them with the engine's real checks. */
final class ConfigFiles {

    /** Every plugin on the launcher's test module path, and the engine's own spec parser. */
    static final ConfigContext ENGINE = engine(Caret.load());

    private final Path folder;

    ConfigFiles(Path folder) {
        this.folder = folder;
    }

    static ConfigContext engine(Caret caret) {
        return new ConfigContext(caret.forwardTypeIds(), caret.transportIds(), (kind, spec, options) -> caret.parse(kind, spec));
    }

    Path write(String json) throws IOException {
        return Files.writeString(folder.resolve("caret.json"), json);
    }

    CaretConfig read(String json) throws IOException, ConfigException {
        return ConfigFile.read(write(json), ENGINE);
    }

    /** The problems, with the file shown as {@code caret.json}. */
    List<String> problems(String json) throws IOException {
        return problems(json, ENGINE);
    }

    List<String> problems(String json, ConfigContext context) throws IOException {
        Path file = write(json);
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigFile.read(file, context));
        return refused.problems().stream().map(problem -> problem.replace(file.toString(), "caret.json")).toList();
    }
}
