package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.HostKeyPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @TempDir
    Path folder;

    @Test
    void readsEveryKeyAndTurnsFieldsIntoSpecsOfAllThreeKinds() throws Exception {
        Path file = new ConfigFiles(folder).write("""
                {
                  "$schema": "https://caret.dev/schema/caret-config-1.json",
                  "onEvent": "notify-send caret",
                  "servers": {
                    "db-prod": {
                      "host": "db.example.com",
                      "port": 2222,
                      "user": "deploy",
                      "identities": ["~/.ssh/id_ed25519", "keys/deploy", "/etc/caret/key"],
                      "knownHosts": ["~"],
                      "hostKeyPolicy": "accept-new",
                      "keepaliveInterval": 0,
                      "keepaliveCountMax": 5,
                      "connectTimeout": 7,
                      "transport": "jsch",
                      "proxyJump": "me@bastion:2200",
                      "onEvent": "logger -t caret",
                      "forwards": {
                        "db": {"kind": "local", "spec": "5432:127.0.0.1:5432", "enabled": false},
                        "web": {"kind": "local", "localPort": 8080, "destinationHost": "127.0.0.1", "destinationPort": 80},
                        "api": {"kind": "reverse", "remotePort": 9000, "destinationHost": "127.0.0.1", "destinationPort": 3000, "bindAddress": "localhost"},
                        "socks": {"kind": "dynamic", "localAddress": "127.0.0.1", "localPort": 1080, "options": {"user": "alice", "password": "s3cret"}}
                      }
                    }
                  }
                }
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        CaretConfig config = ConfigFile.read(file, ConfigFiles.ENGINE);

        assertEquals(file, config.file());
        assertEquals("notify-send caret", config.onEvent());
        assertEquals(List.of(), config.warnings());
        ServerConfig server = config.servers().getFirst();
        assertEquals(new ServerConfig("db-prod", "db.example.com", 2222, "deploy",
                List.of(HOME.resolve(".ssh/id_ed25519"), folder.resolve("keys/deploy"), Path.of("/etc/caret/key")),
                List.of(HOME), HostKeyPolicy.ACCEPT_NEW, Duration.ZERO, 5, Duration.ofSeconds(7), "jsch", "me@bastion:2200",
                "logger -t caret", server.forwards()), server);
        assertEquals(List.of(
                new ForwardConfig("db", "local", "5432:127.0.0.1:5432", false, Map.of()),
                new ForwardConfig("web", "local", "8080:127.0.0.1:80", true, Map.of()),
                new ForwardConfig("api", "reverse", "localhost:9000:127.0.0.1:3000", true, Map.of()),
                new ForwardConfig("socks", "dynamic", "127.0.0.1:1080", true, Map.of("user", "alice", "password", "s3cret"))),
                server.forwards());
        assertEquals(List.of("user", "password"), new ArrayList<>(server.forwards().get(3).options().keySet()), "options keep the file's order");
    }

    @Test
    void leavesEveryOptionalKeyAtItsDefault() throws Exception {
        CaretConfig config = new ConfigFiles(folder).read("""
                {"servers": {"a": {"host": "127.0.0.1", "forwards": {"f": {"kind": "dynamic", "spec": "0"}}}, "b": {"host": "localhost"}}}
                """);

        assertNull(config.onEvent());
        assertEquals(List.of("a", "b"), config.servers().stream().map(ServerConfig::name).toList(), "servers keep the file's order");
        ServerConfig a = config.servers().getFirst();
        assertEquals(new ServerConfig("a", "127.0.0.1", 22, null, List.of(), List.of(), null, null, null, null, null, null, null,
                List.of(new ForwardConfig("f", "dynamic", "0", true, Map.of()))), a);
        assertEquals(List.of(), config.servers().get(1).forwards());
    }

    @Test
    void writesIpv6AddressesFromFieldsInBrackets() throws Exception {
        CaretConfig config = new ConfigFiles(folder).read("""
                {"servers": {"v6": {"host": "::1", "forwards": {
                  "l": {"kind": "local", "bindAddress": "::1", "localPort": 0, "destinationHost": "fe80::1", "destinationPort": 22},
                  "r": {"kind": "reverse", "bindAddress": "*", "remotePort": 0, "destinationHost": "::1", "destinationPort": 3000},
                  "d": {"kind": "dynamic", "localAddress": "::", "localPort": 0}
                }}}}
                """);

        assertEquals(List.of("[::1]:0:[fe80::1]:22", "*:0:[::1]:3000", "[::]:0"),
                config.servers().getFirst().forwards().stream().map(ForwardConfig::spec).toList());
    }

    @Test
    void givesEachForwardWithItsSpecAndOptionsToTheSpecCheck() throws Exception {
        List<String> checked = new ArrayList<>();
        ConfigContext context = new ConfigContext(Set.of("local", "http-proxy"), Set.of("sshd"),
                (kind, spec, options) -> checked.add(kind + " " + spec + " " + options.keySet()));
        Path file = new ConfigFiles(folder).write("""
                {"servers": {"s": {"host": "h", "forwards": {
                  "a": {"kind": "local", "localPort": 1, "destinationHost": "d", "destinationPort": 2},
                  "b": {"kind": "http-proxy", "spec": "8080", "options": {"realm": "x"}}
                }}}}
                """);

        CaretConfig config = ConfigFile.read(file, context);

        assertEquals(List.of("local 1:d:2 []", "http-proxy 8080 [realm]"), checked);
        assertEquals("8080", config.servers().getFirst().forwards().get(1).spec(), "a plugin's spec is taken as written");
    }

    @Test
    void defaultPathFollowsXdgConfigHome() {
        Path home = Path.of("/home/you");
        assertEquals(Path.of("/xdg/caret/caret.json"), ConfigFile.defaultPath("/xdg", home));
        assertEquals(Path.of("/home/you/.config/caret/caret.json"), ConfigFile.defaultPath(null, home));
        assertEquals(Path.of("/home/you/.config/caret/caret.json"), ConfigFile.defaultPath("", home));
        assertEquals(Path.of("/home/you/.config/caret/caret.json"), ConfigFile.defaultPath("relative/xdg", home),
                "the XDG spec says to ignore a relative path");
        assertTrue(ConfigFile.defaultPath().endsWith(Path.of("caret", "caret.json")));
    }

    @Test
    void aMissingFileSaysWhereCaretLookedAndHowToStartOne() {
        Path missing = folder.resolve("nowhere/caret.json");

        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigFile.read(missing, ConfigFiles.ENGINE));

        assertEquals(1, refused.problems().size());
        String problem = refused.problems().getFirst();
        assertTrue(problem.startsWith(missing + ": no such file; create it"), problem);
        assertTrue(problem.contains("mkdir -p " + folder.resolve("nowhere")), problem);
        assertTrue(problem.contains("docs/configuration.md"), problem);
        assertTrue(problem.contains("{\"servers\": {\"db\": {\"host\": "), "an example to start from: " + problem);
    }

    @Test
    void aFolderIsNotAFile() {
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigFile.read(folder, ConfigFiles.ENGINE));

        assertTrue(refused.getMessage().startsWith(folder + ": cannot read it ("), refused.getMessage());
    }

    @Test
    void aByteOrderMarkIsAllowed() throws Exception {
        CaretConfig config = new ConfigFiles(folder).read("\uFEFF{\"servers\": {\"a\": {\"host\": \"h\"}}}");

        assertFalse(config.servers().isEmpty());
    }
}
