package caret.launcher.config;

import caret.core.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Turns a file that passed every check into records: defaults stay {@code null}, fields become
 * spec strings, {@code ~/} and relative paths are resolved.
 */
final class ConfigBinder {

    private final Path folder;
    private final Path home;

    private ConfigBinder(Path file, Path home) {
        this.folder = file.toAbsolutePath().getParent();
        this.home = home;
    }

    /**
     * @param file the file, whose folder relative paths start from
     * @param root its content, valid
     * @param home what {@code ~} stands for
     */
    static CaretConfig bind(Path file, JsonNode root, Path home, List<String> warnings) {
        ConfigBinder binder = new ConfigBinder(file, home);
        List<ServerConfig> servers = new ArrayList<>();
        root.get("servers").properties().forEach(server -> servers.add(binder.server(server.getKey(), server.getValue())));
        return new CaretConfig(file, text(root, "onEvent"), servers, warnings);
    }

    private ServerConfig server(String name, JsonNode server) {
        List<ForwardConfig> forwards = new ArrayList<>();
        server.path("forwards").properties().forEach(forward -> forwards.add(forward(forward.getKey(), forward.getValue())));
        String policy = text(server, "hostKeyPolicy");
        return new ServerConfig(name, text(server, "host"), server.path("port").asInt(22), text(server, "user"),
                paths(server.path("identities")), paths(server.path("knownHosts")),
                policy == null ? null : HostKeyPolicy.parse(policy),
                seconds(server, "keepaliveInterval"), server.has("keepaliveCountMax") ? server.get("keepaliveCountMax").asInt() : null,
                seconds(server, "connectTimeout"), text(server, "transport"), text(server, "proxyJump"), text(server, "onEvent"),
                forwards);
    }

    private static ForwardConfig forward(String name, JsonNode forward) {
        String kind = forward.get("kind").asString();
        String spec = ForwardShape.of(kind).map(shape -> shape.spec(forward)).orElseGet(() -> forward.get("spec").asString());
        Map<String, String> options = new LinkedHashMap<>();
        forward.path("options").properties().forEach(option -> options.put(option.getKey(), option.getValue().asString()));
        return new ForwardConfig(name, kind, spec, forward.path("enabled").asBoolean(true), options);
    }

    private List<Path> paths(JsonNode list) {
        List<Path> paths = new ArrayList<>();
        list.values().forEach(path -> paths.add(resolve(path.asString())));
        return paths;
    }

    /** {@code ~} and {@code ~/…} from the home folder, other relative paths from the file's folder. */
    private Path resolve(String path) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return folder.resolve(path);
    }

    private static Duration seconds(JsonNode server, String name) {
        return server.has(name) ? Duration.ofSeconds(server.get(name).asLong()) : null;
    }

    private static String text(JsonNode object, String name) {
        return object.has(name) ? object.get(name).asString() : null;
    }
}
