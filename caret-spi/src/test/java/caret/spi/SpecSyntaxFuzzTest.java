package caret.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the spec syntax local and reverse forwards share,
 * {@code [bind_address:]port:host:hostport}: any text (the input as UTF-8) is either a spec or an
 * {@link InvalidSpecException} that names it and the expected form, never another exception; and a
 * spec written back from its fields reads as the same spec. Every build runs it over the inputs in
 * {@code SpecSyntaxFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class SpecSyntaxFuzzTest {

    private static final String USAGE = "[bind_address:]port:host:hostport";

    @FuzzTest
    void anyTextIsASpecThatReadsBackOrAnErrorThatNamesIt(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ForwardSpec spec;
        try {
            spec = SpecSyntax.listenAndTarget("local", "local forward", text, USAGE);
        } catch (InvalidSpecException e) {
            assertTrue(e.getMessage().startsWith("Bad local forward '" + text + "': "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; expected " + USAGE), e.getMessage());
            assertEquals(text, e.spec());
            return;
        }
        assertEquals(text, spec.text());
        Endpoint target = spec.destination().orElseThrow();
        assertTrue(target.port() >= 1 && target.port() <= 65535, text);
        String written = spec.bind().map(bind -> field(bind) + ":").orElse("") + spec.port() + ":" + field(target.host())
                + ":" + target.port();
        try {
            ForwardSpec again = SpecSyntax.listenAndTarget("local", "local forward", written, USAGE);
            assertEquals(spec.bindAddress(), again.bindAddress(), written);
            assertEquals(spec.port(), again.port(), written);
            assertEquals(target, again.destination().orElse(null), written);
        } catch (InvalidSpecException e) {
            fail("'" + text + "' was read, but written back from its fields as '" + written + "' it is refused: " + e.getMessage());
        }
    }

    /** A field as a person writes it: in brackets when it holds a colon or starts with one. */
    private static String field(String value) {
        assertNotNull(value);
        return value.indexOf(':') >= 0 || value.startsWith("[") ? "[" + value + "]" : value;
    }
}
