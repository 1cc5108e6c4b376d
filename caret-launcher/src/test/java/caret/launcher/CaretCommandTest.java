package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command, built in code, against the annotated subcommands it registers. */
class CaretCommandTest {

    @Test
    void everySubcommandIsKnownByTheNameOfItsCommandAnnotation() {
        for (Map.Entry<String, Class<?>> subcommand : CaretCommand.SUBCOMMANDS.entrySet()) {
            assertEquals(subcommand.getKey(), subcommand.getValue().getAnnotation(Command.class).name());
        }
    }

    /** A subcommand's name alone brings them all in: picocli then parses it as a subcommand, not as a host. */
    @Test
    void aSubcommandsNameBuildsTheCommandLineWithEverySubcommand() {
        for (String name : CaretCommand.SUBCOMMANDS.keySet()) {
            CommandLine cli = CaretCommand.commandLine(name);
            assertEquals(new TreeSet<>(CaretCommand.SUBCOMMANDS.keySet()), new TreeSet<>(cli.getSubcommands().keySet()), name);
        }
        assertEquals(Map.of(), CaretCommand.commandLine("-N", "-L", "8080:db:5432", "alice@host").getSubcommands());
    }

    @Test
    void repeatedOptionsKeepEveryValueInOrder() {
        CommandLine cli = CaretCommand.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("-vv", "-v", "-L", "1:a:1", "-L", "2:b:2", "-i", "k1", "-i", "k2", "host");
        assertEquals(3, parsed.matchedOption("-v").<boolean[]>getValue().length);
        assertEquals(List.of("1:a:1", "2:b:2"), parsed.matchedOption("-L").getValue());
        assertEquals(List.of("k1", "k2"), parsed.matchedOption("-i").<List<?>>getValue().stream().map(Object::toString).toList());
        assertEquals("host", parsed.matchedPositional(0).getValue());
    }
}
