package caret.plugin.dynamic;

import static caret.plugin.dynamic.Bytes.SOCKS5_SUCCESS;
import static caret.plugin.dynamic.Bytes.ascii;
import static caret.plugin.dynamic.Bytes.concat;
import static caret.plugin.dynamic.Bytes.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.spi.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 1929 username/password authentication over a real loopback connection: exact bytes both ways. */
class SocksAuthenticationTest {

    static final String USER = "alice";
    static final String PASSWORD = "s3cret-Pa55";
    static final Optional<SocksCredentials> CREDENTIALS = SocksCredentials.from(Map.of("user", USER, "password", PASSWORD));

    private static final byte[] GREETING_USER_PASSWORD = of(5, 1, 2);
    private static final byte[] METHOD_USER_PASSWORD = of(5, 2);
    private static final byte[] AUTH_SUCCESS = of(1, 0);
    private static final byte[] AUTH_FAILURE = of(1, 1);

    private SocketPair pair;

    @BeforeEach
    void connect() throws IOException {
        pair = SocketPair.open();
    }

    @AfterEach
    void disconnect() throws IOException {
        pair.close();
    }

    /** The RFC 1929 sub-negotiation a client sends. */
    static byte[] auth(String user, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        return concat(of(1, u.length), u, of(p.length), p);
    }

    private SocksHandshake handshake() throws IOException {
        return new SocksHandshake(pair.server(), Duration.ofSeconds(10), CREDENTIALS);
    }

    private SocksHandshakeException refused() throws IOException {
        return assertThrows(SocksHandshakeException.class, handshake()::readRequest);
    }

    @Test
    void choosesUsernamePasswordAndGoesOnToTheRequestWhenBothMatch() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, auth(USER, PASSWORD), Bytes.socks5Loopback(8080)));
        SocksHandshake handshake = handshake();

        SocksRequest request = handshake.readRequest();

        assertEquals(new Endpoint("127.0.0.1", 8080), request.target());
        assertArrayEquals(METHOD_USER_PASSWORD, pair.receive(2));
        assertArrayEquals(AUTH_SUCCESS, pair.receive(2));
        handshake.replySuccess();
        assertArrayEquals(SOCKS5_SUCCESS, pair.receive(10));
    }

    @Test
    void choosesUsernamePasswordWhenTheClientAlsoOffersNoAuthentication() throws IOException {
        pair.send(concat(of(5, 2, 0, 2), auth(USER, PASSWORD), Bytes.socks5Domain("localhost", 80)));

        assertEquals(new Endpoint("localhost", 80), handshake().readRequest().target());
        assertArrayEquals(METHOD_USER_PASSWORD, pair.receive(2));
        assertArrayEquals(AUTH_SUCCESS, pair.receive(2));
    }

    @Test
    void takesANonAsciiUserAndPasswordAsUtf8() throws IOException {
        Optional<SocksCredentials> credentials = SocksCredentials.from(Map.of("user", "zoë", "password", "pässwörd"));
        pair.send(concat(GREETING_USER_PASSWORD, auth("zoë", "pässwörd"), Bytes.socks5Loopback(80)));

        assertEquals(new Endpoint("127.0.0.1", 80),
                new SocksHandshake(pair.server(), Duration.ofSeconds(10), credentials).readRequest().target());
        assertArrayEquals(concat(METHOD_USER_PASSWORD, AUTH_SUCCESS), pair.receive(4));
    }

    @Test
    void givesBackPayloadPipelinedAfterAuthenticationAndRequest() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, auth(USER, PASSWORD), Bytes.socks5Loopback(80), ascii("hello")));

        SocksRequest request = handshake().readRequest();

        byte[] rest = pair.server().getInputStream().readNBytes(5 - request.pending().length);
        assertEquals("hello", new String(concat(request.pending(), rest), StandardCharsets.US_ASCII));
    }

    @Test
    void readsAnAuthenticationSentOneByteAtATime() throws Exception {
        try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SocksRequest> request = thread.submit(() -> handshake().readRequest());

            for (byte b : GREETING_USER_PASSWORD) {
                pair.send(new byte[] {b});
            }
            assertArrayEquals(METHOD_USER_PASSWORD, pair.receive(2));
            for (byte b : auth(USER, PASSWORD)) {
                pair.send(new byte[] {b});
            }
            assertArrayEquals(AUTH_SUCCESS, pair.receive(2));
            pair.send(Bytes.socks5Loopback(22));

            assertEquals(new Endpoint("127.0.0.1", 22), request.get(10, TimeUnit.SECONDS).target());
        }
    }

    @Test
    void answersFailureForAWrongPasswordNamingTheUserButNeverAPassword() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, auth(USER, "guess-" + PASSWORD)));

        SocksHandshakeException e = refused();

        assertArrayEquals(METHOD_USER_PASSWORD, pair.receive(2));
        assertArrayEquals(AUTH_FAILURE, pair.receive(2));
        assertEquals("SOCKS5 authentication failed for user 'alice': wrong password; replied 01 01", e.getMessage());
    }

    @Test
    void answersFailureForAnUnknownUser() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, auth("mallory", PASSWORD)));

        SocksHandshakeException e = refused();

        assertArrayEquals(concat(METHOD_USER_PASSWORD, AUTH_FAILURE), pair.receive(4));
        assertEquals("SOCKS5 authentication failed for user 'mallory': not the proxy's SOCKS user; replied 01 01", e.getMessage());
    }

    @Test
    void answersFailureForAPasswordThatIsOnlyAPrefixOrLonger() throws IOException {
        for (String password : new String[] {PASSWORD.substring(0, 4), PASSWORD + "x", ""}) {
            try (SocketPair other = SocketPair.open()) {
                other.send(concat(GREETING_USER_PASSWORD, auth(USER, password)));

                assertThrows(SocksHandshakeException.class,
                        () -> new SocksHandshake(other.server(), Duration.ofSeconds(10), CREDENTIALS).readRequest());
                assertArrayEquals(concat(METHOD_USER_PASSWORD, AUTH_FAILURE), other.receive(4), password);
            }
        }
    }

    @Test
    void answersFailureForAnEmptyUsername() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, auth("", PASSWORD)));

        assertEquals("SOCKS5 authentication failed for user '': not the proxy's SOCKS user; replied 01 01", refused().getMessage());
        assertArrayEquals(concat(METHOD_USER_PASSWORD, AUTH_FAILURE), pair.receive(4));
    }

    @Test
    void escapesAUsernameThatCouldForgeALogLine() throws IOException {
        byte[] user = concat(ascii("eve"), of('\n'), ascii("[dynamic 1080] ready 'x' \\"), of(0xC3));
        pair.send(concat(GREETING_USER_PASSWORD, of(1, user.length), user, of(1, 'p')));

        assertEquals("SOCKS5 authentication failed for user 'eve\\x0A[dynamic 1080] ready \\x27x\\x27 \\x5C\\xC3': "
                + "not the proxy's SOCKS user; replied 01 01", refused().getMessage());
    }

    @Test
    void answersNoAcceptableMethodWhenTheClientOffersOnlyNoAuthentication() throws IOException {
        pair.send(concat(Bytes.GREETING_NO_AUTH, Bytes.socks5Loopback(80)));

        SocksHandshakeException e = refused();

        assertArrayEquals(of(5, 0xFF), pair.receive(2));
        assertEquals("SOCKS5 client offers no acceptable authentication method (0x00): this proxy requires a username"
                + " and password (0x02); give them to the client, as in socks5h://USER:PASSWORD@HOST:PORT; replied 05 FF",
                e.getMessage());
    }

    @Test
    void refusesSocks4WhichCannotCarryAPassword() throws IOException {
        pair.send(Bytes.socks4Loopback(80));

        SocksHandshakeException e = refused();

        assertArrayEquals(of(0, 0x5B, 0, 80, 127, 0, 0, 1), pair.receive(8));
        assertEquals("SOCKS4 is refused: this proxy requires a password, which SOCKS4 cannot carry; use SOCKS5 with the"
                + " username and password, as curl --proxy socks5h://USER:PASSWORD@HOST:PORT does; replied 0x5B", e.getMessage());
    }

    @Test
    void refusesSocks4a() throws IOException {
        pair.send(Bytes.socks4a("localhost", 80));

        SocksHandshakeException e = refused();

        assertArrayEquals(of(0, 0x5B, 0, 80, 0, 0, 0, 1), pair.receive(8));
        assertEquals("SOCKS4a is refused: this proxy requires a password, which SOCKS4a cannot carry; use SOCKS5 with the"
                + " username and password, as curl --proxy socks5h://USER:PASSWORD@HOST:PORT does; replied 0x5B", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"5", "0", "2", "255"})
    void answersFailureForASubNegotiationWithTheWrongVersion(int version) throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, of(version, 5), ascii(USER), of(PASSWORD.length()), ascii(PASSWORD)));

        SocksHandshakeException e = refused();

        assertArrayEquals(concat(METHOD_USER_PASSWORD, AUTH_FAILURE), pair.receive(4));
        assertEquals(String.format("SOCKS5 username/password authentication has version 0x%02X, not 0x01 (RFC 1929); replied 01 01",
                version), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "01                      | SOCKS5 username/password authentication",
        "01 05 61 6C             | SOCKS5 username",
        "01 05 61 6C 69 63 65    | SOCKS5 username/password authentication",
        "01 05 61 6C 69 63 65 0B 73 33 | SOCKS5 password",
        "01 FF 61                | SOCKS5 username",
    })
    void reportsASubNegotiationCutShort(String hex, String what) throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, hex(hex)));
        pair.client().shutdownOutput();

        SocksHandshakeException e = refused();

        assertEquals("client closed the connection in the middle of the " + what, e.getMessage());
        pair.server().shutdownOutput();
        assertArrayEquals(METHOD_USER_PASSWORD, pair.receive(2));
        assertEquals(-1, pair.client().getInputStream().read(), "no status for an incomplete sub-negotiation");
    }

    @Test
    void givesUpOnAClientThatDoesNotAuthenticateInTime() throws IOException {
        pair.send(concat(GREETING_USER_PASSWORD, of(1, 5)));

        SocksHandshakeException e = assertThrows(SocksHandshakeException.class,
                () -> new SocksHandshake(pair.server(), Duration.ofMillis(200), CREDENTIALS).readRequest());

        assertEquals("no complete SOCKS handshake within 200 ms (waiting for the SOCKS5 username)", e.getMessage());
    }

    @Test
    void neverPutsThePasswordInAnyMessage() throws IOException {
        String tried = "tried-" + PASSWORD;
        pair.send(concat(GREETING_USER_PASSWORD, auth(USER, tried)));

        String message = refused().getMessage();

        assertFalse(message.contains(PASSWORD) || message.contains(tried), message);
    }

    private static byte[] hex(String text) {
        String[] parts = text.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
