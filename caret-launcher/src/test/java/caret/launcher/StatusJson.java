package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code caret status --json} of a running launcher, and finding servers and forwards in it. */
final class StatusJson {

    private StatusJson() {
    }

    static JsonNode of(Path socket) throws Exception {
        LauncherProcess.Result status = LauncherProcess.run("status", "--json", "-S", socket.toString());
        assertEquals(0, status.exit(), status.stderr());
        return JsonMapper.builder().build().readTree(status.stdout());
    }

    static JsonNode server(JsonNode status, String name) {
        for (JsonNode server : status.get("servers")) {
            if (server.get("name").asString().equals(name)) {
                return server;
            }
        }
        throw new AssertionError("no server " + name + " in " + status);
    }

    /** The forward {@code name} on {@code server}. */
    static JsonNode forward(JsonNode status, String server, String name) {
        return forwardIn(server(status, server), name, status);
    }

    /** The forward {@code name}, on whichever server has it. */
    static JsonNode forward(JsonNode status, String name) {
        for (JsonNode server : status.get("servers")) {
            for (JsonNode forward : server.get("forwards")) {
                if (forward.get("name").asString().equals(name)) {
                    return forward;
                }
            }
        }
        throw new AssertionError("no forward " + name + " in " + status);
    }

    private static JsonNode forwardIn(JsonNode server, String name, JsonNode status) {
        for (JsonNode forward : server.get("forwards")) {
            if (forward.get("name").asString().equals(name)) {
                return forward;
            }
        }
        throw new AssertionError("no forward " + server.get("name").asString() + "/" + name + " in " + status);
    }
}
