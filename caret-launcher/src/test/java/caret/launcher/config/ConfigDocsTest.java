package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docs/configuration.md shows is what Caret does: its files load, and its problems are the ones printed. */
class ConfigDocsTest {

    private static final Path GUIDE = Path.of("..", "docs", "configuration.md");
    private static final Pattern BLOCK = Pattern.compile("```([a-z ]*)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path folder;

    record Block(String info, String text) {
    }

    private static List<Block> blocks() throws Exception {
        List<Block> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(Files.readString(GUIDE));
        while (block.find()) {
            blocks.add(new Block(block.group(1).strip(), block.group(2)));
        }
        return blocks;
    }

    @Test
    void everyJsonExampleLoads() throws Exception {
        List<Block> examples = blocks().stream().filter(block -> block.info().equals("json")).toList();

        assertEquals(2, examples.size(), "the first file and the complete one");
        for (Block example : examples) {
            CaretConfig config = new ConfigFiles(folder).read(example.text());
            assertTrue(config.servers().stream().allMatch(server -> !server.forwards().isEmpty()), example.text());
        }
    }

    @Test
    void theRefusedExamplePrintsTheProblemsShownBelowIt() throws Exception {
        List<Block> blocks = blocks();
        int refused = blocks.indexOf(blocks.stream().filter(block -> block.info().equals("json refused")).findFirst().orElseThrow());
        Block output = blocks.get(refused + 1);

        assertEquals("text", output.info());
        assertEquals(Arrays.asList(output.text().strip().split("\n")), new ConfigFiles(folder).problems(blocks.get(refused).text()));
    }

    @Test
    void thePasswordWarningIsTheOneTheCompleteExampleGets() throws Exception {
        List<Block> blocks = blocks();
        Block complete = blocks.stream().filter(block -> block.info().equals("json") && block.text().contains("password")).findFirst().orElseThrow();
        String shown = blocks.stream().filter(block -> block.info().equals("text") && block.text().contains("chmod 600")).findFirst().orElseThrow()
                .text().strip();
        Path file = new ConfigFiles(folder).write(complete.text());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        List<String> warnings = ConfigFile.read(file, ConfigFiles.ENGINE).warnings();

        assertEquals(List.of(shown), warnings.stream().map(warning -> warning.replace(file.toString(), "/home/you/.config/caret/caret.json")).toList());
    }

    /** The rows of the syntax table whose mistake is one piece of code: that code, as a whole file, gets the words shown. */
    @Test
    void theSyntaxTableSaysWhatCaretSays() throws Exception {
        String guide = Files.readString(GUIDE);
        int start = guide.indexOf("| mistake | Caret says |");
        String table = guide.substring(start, guide.indexOf("\n\n", start));
        Matcher rows = Pattern.compile("^\\| `([^`]+)` \\| (.+) \\|$", Pattern.MULTILINE).matcher(table);
        int checked = 0;
        while (rows.find()) {
            List<String> problems = new ConfigFiles(folder).problems(rows.group(1));
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.getFirst().endsWith(": " + rows.group(2)), rows.group(1) + " gave " + problems.getFirst());
            checked++;
        }
        assertEquals(7, checked);
    }
}
