package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password in the options stays out of every message and toString, and a file others can read is called out. */
class ConfigSecretsTest {

    private static final String SECRET = "s3cret-do-not-show";
    private static final String WITH_PASSWORD = """
            {"servers": {"a": {"host": "h", "forwards": {
              "socks": {"kind": "dynamic", "spec": "0", "options": {"user": "alice", "password": "%s"}}
            }}}}
            """.formatted(SECRET);

    @TempDir
    Path folder;

    @Test
    void warnsWhenOthersCanReadAFileWithAPassword() throws Exception {
        Path file = new ConfigFiles(folder).write(WITH_PASSWORD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        CaretConfig config = ConfigFile.read(file, ConfigFiles.ENGINE);

        assertEquals(List.of(file + ":2:74 at $.servers.a.forwards.socks.options.password: this file holds a password and other users can read it;"
                + " run chmod 600 " + file), config.warnings());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(1, ConfigFile.read(file, ConfigFiles.ENGINE).warnings().size(), "readable by the group is readable by others too");
    }

    @Test
    void saysNothingWhenOnlyTheOwnerCanReadIt() throws Exception {
        Path file = new ConfigFiles(folder).write(WITH_PASSWORD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertEquals(List.of(), ConfigFile.read(file, ConfigFiles.ENGINE).warnings());
    }

    @Test
    void saysNothingAboutAReadableFileWithoutAPassword() throws Exception {
        Path file = new ConfigFiles(folder).write(WITH_PASSWORD.replace("password", "realm"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(List.of(), ConfigFile.read(file, ConfigFiles.ENGINE).warnings());
    }

    @Test
    void noToStringShowsAnOptionValue() throws Exception {
        CaretConfig config = new ConfigFiles(folder).read(WITH_PASSWORD);

        String shown = config.toString();
        assertFalse(shown.contains(SECRET), shown);
        assertFalse(shown.contains("alice"), shown);
        assertEquals("ForwardConfig[name=socks, kind=dynamic, spec=0, enabled=true, options=[user, password]]",
                config.servers().getFirst().forwards().getFirst().toString());
    }

    @Test
    void noProblemShowsAnOptionValue() throws Exception {
        ConfigFiles files = new ConfigFiles(folder);
        ConfigContext refusing = new ConfigContext(Set.of("dynamic"), Set.of("sshd"), (kind, spec, options) -> {
            throw new IllegalArgumentException("refused " + spec + " with options " + options.keySet());
        });
        List<String> messages = List.of(
                String.join("\n", files.problems(WITH_PASSWORD, refusing)),
                String.join("\n", files.problems(WITH_PASSWORD.replace("\"" + SECRET + "\"", SECRET))),
                String.join("\n", files.problems(WITH_PASSWORD.replace("\"" + SECRET + "\"", "\"" + SECRET + "\", \"password\": \"" + SECRET + "\""))),
                String.join("\n", files.problems(WITH_PASSWORD.replace("\"" + SECRET + "\"", "[\"" + SECRET + "\"]"))),
                String.join("\n", files.problems(WITH_PASSWORD.replace("\"" + SECRET + "\"", "\"" + SECRET + "\n\""))));

        for (String message : messages) {
            assertFalse(message.contains(SECRET), message);
        }
        assertEquals("caret.json:2:86 at $.servers.a.forwards.socks.options.password: this value is a list, not text; use a text value in double quotes",
                messages.get(3));
    }
}
