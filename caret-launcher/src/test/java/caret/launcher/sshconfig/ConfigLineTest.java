package caret.launcher.sshconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lines split as OpenSSH's {@code strdelim} and {@code argv_split} split them. */
class ConfigLineTest {

    private static final Origin AT = new Origin(Path.of("cfg"), 1);

    @Test
    void separatesTheKeywordBySpaceOrOneEquals() throws Exception {
        for (String text : List.of("Port 22", "Port=22", "Port = 22", "  Port\t=\t22  ", "Port= 22", "Port =22", "PORT 22\r")) {
            assertEquals(Optional.of(new ConfigLine(AT, "port", List.of("22"))), ConfigLine.parse(text, AT), text);
        }
    }

    @Test
    void keepsQuotedSpacesAndEscapes() throws Exception {
        assertEquals(List.of("a b", "c'd", "e f", "g\\h", "\"", "#notacomment"),
                ConfigLine.parse("K \"a b\" \"c'd\" e\\ f g\\h \\\" \"#notacomment\"", AT).orElseThrow().arguments());
    }

    @Test
    void aHashStartingAnArgumentEndsTheLine() throws Exception {
        assertEquals(List.of("a#b"), ConfigLine.parse("K a#b # comment \"unclosed", AT).orElseThrow().arguments());
        assertEquals(Optional.empty(), ConfigLine.parse("   # Port 22", AT));
        assertEquals(Optional.empty(), ConfigLine.parse("", AT));
    }

    @Test
    void anEmptyQuotedArgumentIsKeptForTheKeywordToRefuse() throws Exception {
        assertEquals(List.of(""), ConfigLine.parse("HostName \"\"", AT).orElseThrow().arguments());
    }
}
