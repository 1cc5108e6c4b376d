package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the JSON configuration reader, with the engine's real forward types
 * checking the specs: any file content (mode 0600) is read as a configuration or refused with a
 * {@link ConfigException} whose every problem names the file, never another exception; every
 * forward of a file that is read is one the engine takes. Every build runs it over the inputs in
 * {@code ConfigFileFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class ConfigFileFuzzTest {

    @TempDir
    static Path folder;

    @FuzzTest
    void anyFileIsAConfigurationOrProblemsThatNameIt(byte[] content) throws Exception {
        Path file = Files.write(folder.resolve("caret.json"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        CaretConfig config;
        try {
            config = ConfigFile.read(file, ConfigFiles.ENGINE);
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty(), "refused without a problem");
            for (String problem : e.problems()) {
                assertTrue(problem.startsWith(file.toString()), problem);
            }
            return;
        }
        assertEquals(file, config.file());
        for (ServerConfig server : config.servers()) {
            for (ForwardConfig forward : server.forwards()) {
                assertTrue(ConfigFiles.ENGINE.kinds().contains(forward.kind()), forward.kind());
                ConfigFiles.ENGINE.specs().check(forward.kind(), forward.spec(), forward.options());
            }
        }
    }
}
