package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.Endpoint;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the SOCKS 4, 4a and 5 server handshake, authentication included. The
 * input's first byte chooses the proxy (odd: it requires the user {@code alice} with the password
 * {@code s3cret}; even: no password); the rest is what the client sends, then the end of the
 * stream. Whatever the bytes, {@link SocksHandshake#readRequest()} returns a CONNECT request or
 * throws a {@link SocksHandshakeException} with a message, never another exception and never a
 * hang; a request names a host of printable ASCII, kept as text (nothing is resolved), and gives
 * back exactly the bytes the client sent after it. Every build runs it over the inputs in
 * {@code SocksHandshakeFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class SocksHandshakeFuzzTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Optional<SocksCredentials> ALICE = SocksCredentials.from(
            Map.of(SocksCredentials.USER, "alice", SocksCredentials.PASSWORD, "s3cret"));

    @FuzzTest
    void anyBytesAreAConnectRequestOrAHandshakeError(byte[] input) throws IOException {
        boolean password = input.length > 0 && (input[0] & 1) == 1;
        byte[] client = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        StreamSocket socket = new StreamSocket(client);
        SocksHandshake handshake = new SocksHandshake(socket, TIMEOUT, password ? ALICE : Optional.empty());
        SocksRequest request;
        try {
            request = handshake.readRequest();
        } catch (SocksHandshakeException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a handshake error without a message");
            return;
        }
        Endpoint target = request.target();
        assertFalse(target.host().isEmpty());
        assertTrue(target.host().chars().allMatch(c -> c > 0x20 && c < 0x7F), target.host());
        assertTrue(target.port() >= 0 && target.port() <= 65535, target.toString());
        assertTrue(!password || request.version() == SocksVersion.SOCKS5, request + " without a password");
        byte[] pending = request.pending();
        assertArrayEquals(Arrays.copyOfRange(client, client.length - pending.length, client.length), pending,
                "the bytes after the request");

        int before = socket.written().length;
        handshake.replySuccess();
        byte[] reply = Arrays.copyOfRange(socket.written(), before, socket.written().length);
        assertEquals(request.version() == SocksVersion.SOCKS5 ? 5 : 0, reply[0], "the reply's version");
    }
}
