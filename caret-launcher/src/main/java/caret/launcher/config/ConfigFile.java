package caret.launcher.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Caret's configuration file: {@code caret.json}, the servers and forwards {@code caret up} brings
 * up. The format is in {@code docs/configuration.md}, its schema in
 * {@code docs/caret-config.schema.json}; every file is validated against that schema and then
 * against what is installed.
 */
public final class ConfigFile {

    private static final String EXAMPLE = "{\"servers\": {\"db\": {\"host\": \"db.example.com\", \"forwards\": "
            + "{\"postgres\": {\"kind\": \"local\", \"spec\": \"5432:127.0.0.1:5432\"}}}}}";

    private ConfigFile() {
    }

    /**
     * Reads, validates and returns the file; nothing is started by reading. A file with any problem
     * is refused whole, with every problem found.
     *
     * @param context the installed forward types and transports, and the engine's spec check
     * @throws ConfigException listing each problem as {@code FILE:LINE:COLUMN at PATH: what is
     *     wrong; what to write}, or saying where the file was looked for when there is none
     */
    public static CaretConfig read(Path file, ConfigContext context) throws ConfigException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            Path absolute = file.toAbsolutePath();
            throw new ConfigException(List.of(absolute + ": no such file; create it with your servers"
                    + " and forwards, e.g. " + EXAMPLE + (Files.isDirectory(absolute.getParent()) ? "" : ", after mkdir -p " + absolute.getParent())
                    + "; docs/configuration.md describes every key"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read it (" + e + "); check that it is a file you may read"));
        }
        List<Problem> problems = new ArrayList<>();
        Optional<LocatedJson> read = LocatedJsonReader.read(content, problems);
        if (read.isEmpty()) {
            throw refused(file, problems);
        }
        LocatedJson json = read.get();
        List<SchemaCheck.Finding> findings = SchemaCheck.instance().check(json);
        Set<ConfigPath> schemaPaths = findings.stream().filter(finding -> !finding.shape())
                .map(finding -> finding.problem().path()).collect(Collectors.toSet());
        List<Problem> own = ConfigChecks.check(json, context, at -> schemaPaths.stream().anyMatch(found -> found.within(at)));
        problems.addAll(own);
        for (SchemaCheck.Finding finding : findings) {
            boolean explained = finding.shape() && own.stream().anyMatch(problem -> problem.path().within(finding.subject()));
            if (!explained) {
                problems.add(finding.problem());
            }
        }
        if (!problems.isEmpty()) {
            throw refused(file, problems);
        }
        List<String> warnings = new ArrayList<>();
        try {
            SecretFileCheck.warning(file, json).ifPresent(warnings::add);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read its permissions (" + e + ")"));
        }
        return ConfigBinder.bind(file, json.root(), Path.of(System.getProperty("user.home")), warnings);
    }

    /** {@code $XDG_CONFIG_HOME/caret/caret.json}, or {@code ~/.config/caret/caret.json} without it. */
    public static Path defaultPath() {
        return defaultPath(System.getenv("XDG_CONFIG_HOME"), Path.of(System.getProperty("user.home")));
    }

    /** As the XDG base directory spec says, a relative or empty {@code XDG_CONFIG_HOME} is ignored. */
    static Path defaultPath(String xdgConfigHome, Path home) {
        Path folder = xdgConfigHome != null && !xdgConfigHome.isEmpty() && Path.of(xdgConfigHome).isAbsolute()
                ? Path.of(xdgConfigHome) : home.resolve(".config");
        return folder.resolve("caret").resolve("caret.json");
    }

    private static ConfigException refused(Path file, List<Problem> problems) {
        return new ConfigException(problems.stream().sorted(Problem.IN_FILE_ORDER).map(problem -> problem.render(file.toString())).toList());
    }
}
