package caret.launcher.sshconfig;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the ssh_config reader: any content of {@code ~/.ssh/config} (mode
 * 0600, in a home folder of its own beside one other file to include) is read and resolved for a
 * host, or refused with an {@link SshConfigException} that names the file, never another exception
 * and never a hang. Inputs whose {@code Include} would reach outside that home (an absolute path,
 * {@code ..}) are skipped: they would read the machine's own files. Nothing is run: the reader
 * refuses ProxyCommand and only skips {@code Match exec}. Every build runs it over the inputs in
 * {@code SshConfigFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class SshConfigFuzzTest {

    private static final String LOCAL_USER = System.getProperty("user.name");

    @TempDir
    static Path home;

    private static Path config;

    @BeforeAll
    static void home() throws IOException {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("common"), "Host *.example.org\n  User deploy\n  Port 2222\n");
        config = ssh.resolve("config");
    }

    @FuzzTest
    void anyFileIsReadAndResolvedOrAProblemThatNamesIt(byte[] content) throws IOException {
        if (includesOutsideHome(new String(content, StandardCharsets.UTF_8))) {
            return;
        }
        Files.write(config, content);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        try {
            SshConfig read = SshConfig.read(config, home, LOCAL_USER);
            for (String host : new String[] {"db", "db.example.org", "[::1]"}) {
                HostEntry entry = read.resolve(host, Overrides.none());
                assertFalse(entry.hostName().isEmpty(), host);
                assertTrue(entry.port() >= 0 && entry.port() <= 65535, host + ": port " + entry.port());
            }
        } catch (SshConfigException e) {
            assertTrue(e.getMessage().contains(home.toString()), e.getMessage());
        }
    }

    /** Whether a line, as the reader splits it, is an Include that names a file outside the home folder. */
    private static boolean includesOutsideHome(String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Optional<ConfigLine> line;
            try {
                line = ConfigLine.parse(lines[i], new Origin(config, i + 1));
            } catch (SshConfigException e) {
                continue; // the reader refuses this line
            }
            if (line.isPresent() && line.get().keyword().equals("include")
                    && line.get().arguments().stream().anyMatch(file -> file.startsWith("/") || file.contains(".."))) {
                return true;
            }
        }
        return false;
    }
}
