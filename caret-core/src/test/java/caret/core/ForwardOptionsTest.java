package caret.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.core.fixtures.FakeType;
import caret.spi.ForwardSpec;
import caret.spi.InvalidSpecException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options beside a spec's text: a type without any refuses them by name; a spec keeps them to itself. */
class ForwardOptionsTest {

    private final FakeType type = new FakeType.Beta();

    @Test
    void aTypeWithoutOptionsParsesEmptyOptionsAsThePlainSpec() throws InvalidSpecException {
        assertEquals(type.parse("1080"), type.parse("1080", Map.of()));
    }

    @Test
    void aTypeWithoutOptionsRefusesOneNamingIt() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> type.parse("1080", Map.of("user", "alice")));

        assertEquals("Bad beta forward '1080': unknown option 'user': a beta forward takes no options; expected port", e.getMessage());
    }

    @Test
    void aTypeWithoutOptionsRefusesSeveralNamingThemAllButNoValue() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> type.parse("1080", Map.of("user", "alice", "password", "s3cret-value")));

        assertEquals("Bad beta forward '1080': unknown options 'password', 'user': a beta forward takes no options; expected port",
                e.getMessage());
    }

    @Test
    void aSpecCopiesItsOptionsAndNeverShowsThem() {
        Map<String, String> options = new HashMap<>(Map.of("user", "alice", "password", "s3cret-value"));
        ForwardSpec spec = new ForwardSpec("dynamic", "1080", null, 1080, null, options);
        options.clear();

        assertEquals(Map.of("user", "alice", "password", "s3cret-value"), spec.options());
        assertThrows(UnsupportedOperationException.class, () -> spec.options().put("x", "y"));
        assertEquals("dynamic 1080", spec.toString());
    }

    @Test
    void aSpecWithoutOptionsHasEmptyOnes() {
        assertEquals(Map.of(), new ForwardSpec("dynamic", "1080", null, 1080, null).options());
    }
}
