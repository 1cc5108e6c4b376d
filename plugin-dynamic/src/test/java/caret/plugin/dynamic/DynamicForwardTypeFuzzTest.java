package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import caret.spi.ForwardSpec;
import caret.spi.InvalidSpecException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the dynamic forward's spec, {@code [bind_address:]port}: any text (the
 * input as UTF-8) is either a spec or an {@link InvalidSpecException} that names it and the
 * expected form, never another exception; and a spec written back from its bind address and port
 * reads as the same spec. Every build runs it over the inputs in
 * {@code DynamicForwardTypeFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class DynamicForwardTypeFuzzTest {

    private static final DynamicForwardType TYPE = new DynamicForwardType();

    @FuzzTest
    void anyTextIsASpecThatReadsBackOrAnErrorThatNamesIt(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ForwardSpec spec;
        try {
            spec = TYPE.parse(text);
        } catch (InvalidSpecException e) {
            assertTrue(e.getMessage().startsWith("Bad dynamic forward '" + text + "': "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; expected " + TYPE.usage()), e.getMessage());
            return;
        }
        assertEquals("dynamic", spec.type());
        assertNull(spec.target(), text);
        String written = spec.bind().map(bind -> (bind.indexOf(':') >= 0 || bind.startsWith("[") ? "[" + bind + "]" : bind) + ":")
                .orElse("") + spec.port();
        try {
            ForwardSpec again = TYPE.parse(written);
            assertEquals(spec.bindAddress(), again.bindAddress(), written);
            assertEquals(spec.port(), again.port(), written);
        } catch (InvalidSpecException e) {
            fail("'" + text + "' was read, but written back as '" + written + "' it is refused: " + e.getMessage());
        }
    }
}
