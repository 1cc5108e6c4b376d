package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spec as OpenSSH writes it for -D, its options user and password, and what the plugin tells about itself. */
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

    private static final String PASSWORD = "s3cret-Pa55";
    private static final String OPTIONS_USAGE = "; expected [bind_address:]port with the options 'user' and 'password', both or neither";

    @Test
    void takesAUserAndPasswordAsOptionsAndNeverShowsThePassword() throws InvalidSpecException {
        ForwardSpec spec = type.parse("0.0.0.0:1080", Map.of("user", "alice", "password", PASSWORD));

        assertEquals(Map.of("user", "alice", "password", PASSWORD), spec.options());
        assertEquals("0.0.0.0", spec.bindAddress());
        assertEquals(1080, spec.port());
        assertEquals("dynamic 0.0.0.0:1080", spec.toString());
    }

    @Test
    void parsesEmptyOptionsAsTheSpecAlone() throws InvalidSpecException {
        assertEquals(type.parse("1080"), type.parse("1080", Map.of()));
    }

    @Test
    void acceptsAUserAndPasswordOf255BytesInUtf8() throws InvalidSpecException {
        String user = "é".repeat(127) + "u"; // 2 * 127 + 1 = 255 bytes
        String password = "p".repeat(255);

        assertEquals(user, type.parse("1080", Map.of("user", user, "password", password)).options().get("user"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null", value = {
        "alice | null  | option 'user' is set without 'password': add the password SOCKS5 clients must give with that user, or leave 'user' out",
        "null  | pw    | option 'password' is set without 'user': add the username SOCKS5 clients must give with it, or leave 'password' out",
        "\"\"    | pw    | option 'user' is empty: give a SOCKS username of 1 to 255 bytes",
        "alice | \"\"    | option 'password' is empty: give a SOCKS password of 1 to 255 bytes",
    })
    void refusesAUserWithoutPasswordOrEitherEmpty(String user, String password, String problem) {
        Map<String, String> options = new HashMap<>();
        if (user != null) {
            options.put("user", user);
        }
        if (password != null) {
            options.put("password", password);
        }

        assertRefused(options, problem);
    }

    @Test
    void refusesAUserLongerThan255BytesInUtf8() {
        assertRefused(Map.of("user", "é".repeat(128), "password", PASSWORD),
                "option 'user' is 256 bytes in UTF-8: SOCKS5 (RFC 1929) carries at most 255; choose a shorter username");
    }

    @Test
    void refusesAPasswordLongerThan255BytesInUtf8WithoutQuotingIt() {
        String password = "ü".repeat(128);

        InvalidSpecException e = assertRefused(Map.of("user", "alice", "password", password),
                "option 'password' is longer than 255 bytes in UTF-8, the most SOCKS5 (RFC 1929) carries; choose a shorter password");
        assertFalse(e.getMessage().contains(password));
    }

    @Test
    void refusesUnknownOptionsListingTheAcceptedOnes() {
        assertRefused(Map.of("user", "alice", "password", PASSWORD, "pass", "x"),
                "unknown option 'pass': a dynamic forward takes only 'user' and 'password'");
        assertRefused(Map.of("username", "alice", "passwd", PASSWORD),
                "unknown options 'passwd', 'username': a dynamic forward takes only 'user' and 'password'");
    }

    @Test
    void refusesABadSpecBeforeLookingAtItsOptions() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> type.parse("10x80", Map.of("user", "alice", "password", PASSWORD)));

        assertEquals("Bad dynamic forward '10x80': port '10x80' is not a port number (0 to 65535); expected [bind_address:]port",
                e.getMessage());
    }

    private InvalidSpecException assertRefused(Map<String, String> options, String problem) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> type.parse("1080", options));
        assertEquals("Bad dynamic forward '1080': " + problem + OPTIONS_USAGE, e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
        return e;
    }
}
