package caret.plugin.dynamic;

import static caret.plugin.dynamic.Bytes.concat;
import static caret.plugin.dynamic.Bytes.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.InvalidSpecException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A forward with a user and password, up to the point where it would open an SSH channel: a failed
 * client is reported naming its address and the username it tried, never a password, and closed;
 * a proxy without password beyond loopback says who can use it.
 */
class SocksAuthenticationHandlerTest {

    private static final Endpoint WIDE = new Endpoint("0.0.0.0", 1080);

    private final DynamicForwardType type = new DynamicForwardType();

    private RecordingContext start(String spec, Map<String, String> options, Endpoint bound)
            throws InvalidSpecException, ForwardException {
        RecordingContext context = new RecordingContext("dynamic " + spec, bound);
        type.start(type.parse(spec, options), context);
        return context;
    }

    private RecordingContext startWithPassword() throws InvalidSpecException, ForwardException {
        return start("1080", Map.of("user", SocksAuthenticationTest.USER, "password", SocksAuthenticationTest.PASSWORD),
                new Endpoint("127.0.0.1", 1080));
    }

    @Test
    void reportsAWrongPasswordWithTheClientAndUserAndClosesThatConnection() throws Exception {
        RecordingContext context = startWithPassword();
        String tried = "wrong-" + SocksAuthenticationTest.PASSWORD;
        try (SocketPair pair = SocketPair.open()) {
            pair.send(concat(of(5, 1, 2), SocksAuthenticationTest.auth("alice", tried)));
            pair.client().shutdownOutput(); // all sent: the proxy need not linger for more

            context.handler.handle(pair.server());

            assertArrayEquals(of(5, 2, 1, 1), pair.receive(4));
            assertEquals(-1, pair.client().getInputStream().read(), "closed after the failure status");
            String client = "127.0.0.1:" + pair.client().getLocalPort();
            assertEquals(List.of("SOCKS handshake from " + client
                    + ": SOCKS5 authentication failed for user 'alice': wrong password; replied 01 01"), context.failures);
            assertFalse(context.failures.getFirst().contains(tried));
        }
    }

    @Test
    void reportsAndClosesAMalformedSubNegotiation() throws Exception {
        RecordingContext context = startWithPassword();
        try (SocketPair pair = SocketPair.open()) {
            pair.send(concat(of(5, 1, 2), of(5, 1, 'a', 1, 'b')));
            pair.client().shutdownOutput(); // all sent: the proxy need not linger for more

            context.handler.handle(pair.server());

            assertArrayEquals(of(5, 2, 1, 1), pair.receive(4));
            assertEquals(-1, pair.client().getInputStream().read());
            assertTrue(context.failures.getFirst().endsWith(
                    ": SOCKS5 username/password authentication has version 0x05, not 0x01 (RFC 1929); replied 01 01"),
                    context.failures::toString);
        }
    }

    @Test
    void refusesSocks4SayingWhyAndWhatToUse() throws Exception {
        RecordingContext context = startWithPassword();
        try (SocketPair pair = SocketPair.open()) {
            pair.send(Bytes.socks4Loopback(80));
            pair.client().shutdownOutput(); // all sent: the proxy need not linger for more

            context.handler.handle(pair.server());

            assertArrayEquals(of(0, 0x5B, 0, 80, 127, 0, 0, 1), pair.receive(8));
            assertEquals(-1, pair.client().getInputStream().read());
            assertTrue(context.failures.getFirst().contains(": SOCKS4 is refused: this proxy requires a password"),
                    context.failures::toString);
        }
    }

    @Test
    void warnsThatAnyoneCanUseAProxyWithoutPasswordBeyondLoopback() throws Exception {
        RecordingContext context = start("0.0.0.0:1080", Map.of(), WIDE);

        assertEquals(List.of("Warning: dynamic 0.0.0.0:1080 listens on 0.0.0.0:1080 without a password: anyone who can"
                + " reach 0.0.0.0:1080 can use the SSH server as a proxy, to wherever the server can connect. Set a SOCKS"
                + " username and password: --socks-user USER (the password from CARET_SOCKS_PASSWORD or the terminal), or"
                + " \"user\" and \"password\" in the forward's \"options\" in a config file; or bind 127.0.0.1."),
                context.notices);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "127.0.0.2", "::1"})
    void saysNothingOfAProxyOnLoopback(String address) throws Exception {
        assertEquals(List.of(), start("1080", Map.of(), new Endpoint(address, 1080)).notices);
    }

    @Test
    void saysNothingOfAProxyWithAPasswordBeyondLoopback() throws Exception {
        RecordingContext context = start("0.0.0.0:1080",
                Map.of("user", SocksAuthenticationTest.USER, "password", SocksAuthenticationTest.PASSWORD), WIDE);

        assertEquals(List.of(), context.notices);
    }

    @Test
    void takesClientsWithoutAuthenticationWhenItHasNoPassword() throws Exception {
        RecordingContext context = start("1080", Map.of(), new Endpoint("127.0.0.1", 1080));
        try (SocketPair pair = SocketPair.open()) {
            pair.send(of(5, 1, 2));
            pair.client().shutdownOutput(); // all sent: the proxy need not linger for more

            context.handler.handle(pair.server());

            assertArrayEquals(of(5, 0xFF), pair.receive(2));
            assertTrue(context.failures.getFirst().endsWith("this proxy takes only 'no authentication' (0x00); replied 05 FF"),
                    context.failures::toString);
        }
    }
}
