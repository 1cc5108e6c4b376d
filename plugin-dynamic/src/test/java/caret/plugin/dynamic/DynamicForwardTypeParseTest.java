package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spec as OpenSSH writes it for -D, and what the plugin tells about itself. */
class DynamicForwardTypeParseTest {

    private final DynamicForwardType type = new DynamicForwardType();

    @Test
    void describesItself() {
        assertEquals("dynamic", type.id());
        assertEquals("[bind_address:]port", type.usage());
        assertEquals("Dynamic forward (-D): a SOCKS 4, 4a and 5 proxy; each connection goes through the server "
                + "to the address it asks for", type.description());
    }

    @Test
    void isFoundByServiceLoader() {
        getClass().getModule().addUses(ForwardType.class);

        assertEquals(1, ServiceLoader.load(ForwardType.class).stream()
                .filter(p -> p.type() == DynamicForwardType.class).count());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "1080                | null        | 1080",
        "0                   | null        | 0",
        "65535               | null        | 65535",
        "localhost:1080      | localhost   | 1080",
        "127.0.0.1:1080      | 127.0.0.1   | 1080",
        "[::1]:1080          | ::1         | 1080",
        "[2001:db8::1]:0     | 2001:db8::1 | 0",
        "*:1080              | *           | 1080",
        ":1080               | *           | 1080",
        "0.0.0.0:1080        | 0.0.0.0     | 1080",
    })
    void accepts(String text, String bind, int port) throws InvalidSpecException {
        ForwardSpec spec = type.parse(text);

        assertEquals("dynamic", spec.type());
        assertEquals(text, spec.text());
        assertEquals(bind, spec.bindAddress());
        assertEquals(port, spec.port());
        assertNull(spec.target());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"              | missing port",
        "localhost:      | missing port",
        "10x80           | port '10x80' is not a port number (0 to 65535)",
        "-1              | port '-1' is not a port number (0 to 65535)",
        "\" 1080\"         | port ' 1080' is not a port number (0 to 65535)",
        "65536           | port 65536 is out of range (0 to 65535)",
        "123456          | port '123456' is not a port number (0 to 65535)",
        "localhost:http  | port 'http' is not a port number (0 to 65535)",
        "a:b:1080        | too many fields (3): put an IPv6 bind address in brackets, as [::1]:1080",
        "::1:1080        | too many fields (4): put an IPv6 bind address in brackets, as [::1]:1080",
        "1080:host:80    | too many fields (3): put an IPv6 bind address in brackets, as [::1]:1080",
        "[::1:1080       | '[' at position 1 is not closed",
        "[::1]x:1080     | expected ':' after ']' at position 6",
        "[]:1080         | empty brackets: write '*' or leave the bind address out",
        "local host:1080 | bind address 'local host' may contain only printable characters, no spaces",
    })
    void refuses(String text, String problem) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> type.parse(text));

        assertEquals("Bad dynamic forward '" + text + "': " + problem + "; expected [bind_address:]port", e.getMessage());
        assertEquals(text, e.spec());
    }
}
