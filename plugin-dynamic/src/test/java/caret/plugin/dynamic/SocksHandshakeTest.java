package caret.plugin.dynamic;

import static caret.plugin.dynamic.Bytes.GREETING_NO_AUTH;
import static caret.plugin.dynamic.Bytes.METHOD_NO_AUTH;
import static caret.plugin.dynamic.Bytes.SOCKS5_SUCCESS;
import static caret.plugin.dynamic.Bytes.ascii;
import static caret.plugin.dynamic.Bytes.concat;
import static caret.plugin.dynamic.Bytes.of;
import static caret.plugin.dynamic.Bytes.repeat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** The handshake over a real loopback connection: exact bytes both ways and the request it reads. */
class SocksHandshakeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SocketPair pair;

    @BeforeEach
    void connect() throws IOException {
        pair = SocketPair.open();
    }

    @AfterEach
    void disconnect() throws IOException {
        pair.close();
    }

    private SocksHandshake handshake() throws IOException {
        return new SocksHandshake(pair.server(), TIMEOUT, Optional.empty());
    }

    private SocksHandshakeException refused(SocksHandshake handshake) {
        return assertThrows(SocksHandshakeException.class, handshake::readRequest);
    }

    @Test
    void readsSocks5ConnectToAnIpv4Address() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, of(5, 1, 0, 1, 192, 0, 2, 7, 0x1F, 0x90)));
        SocksHandshake handshake = handshake();

        SocksRequest request = handshake.readRequest();

        assertEquals(SocksVersion.SOCKS5, request.version());
        assertEquals(new Endpoint("192.0.2.7", 8080), request.target());
        assertArrayEquals(new byte[0], request.pending());
        assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
        handshake.replySuccess();
        assertArrayEquals(SOCKS5_SUCCESS, pair.receive(10));
    }

    @Test
    void readsSocks5ConnectToAnIpv6Address() throws IOException {
        pair.send(concat(of(5, 2, 2, 0), of(5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xBB)));

        SocksRequest request = handshake().readRequest();

        assertEquals(new Endpoint("2001:db8::1", 443), request.target());
        assertEquals("SOCKS5 CONNECT [2001:db8::1]:443", request.toString());
        assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
    }

    @Test
    void keepsASocks5HostNameAsTextForTheServerToResolve() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, Bytes.socks5Domain("localhost", 80)));

        SocksRequest request = handshake().readRequest();

        assertEquals(new Endpoint("localhost", 80), request.target());
        assertEquals("SOCKS5 CONNECT localhost:80", request.toString());
    }

    @Test
    void answersNoAcceptableMethodWhenTheClientOffersOnlyAuthentication() throws IOException {
        pair.send(of(5, 2, 1, 2));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(of(5, 0xFF), pair.receive(2));
        assertEquals("SOCKS5 client offers no acceptable authentication method (0x01, 0x02): "
                + "this proxy takes only 'no authentication' (0x00); replied 05 FF", e.getMessage());
    }

    @Test
    void answersNoAcceptableMethodWhenTheClientOffersNone() throws IOException {
        pair.send(of(5, 0));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(of(5, 0xFF), pair.receive(2));
        assertEquals("SOCKS5 client offers no acceptable authentication method (none): "
                + "this proxy takes only 'no authentication' (0x00); replied 05 FF", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"2, BIND (0x02)", "3, UDP ASSOCIATE (0x03)", "9, 0x09"})
    void answersCommandNotSupportedForAnythingButConnect(int command, String name) throws IOException {
        pair.send(concat(GREETING_NO_AUTH, of(5, command, 0, 1, 127, 0, 0, 1, 0, 80)));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
        assertArrayEquals(of(5, 7, 0, 1, 0, 0, 0, 0, 0, 0), pair.receive(10));
        assertEquals("SOCKS5 command " + name + " is not supported, only CONNECT; replied 0x07", e.getMessage());
    }

    @Test
    void answersAddressTypeNotSupportedForAnUnknownAddressType() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, of(5, 1, 0, 2, 127, 0, 0, 1, 0, 80)));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
        assertArrayEquals(of(5, 8, 0, 1, 0, 0, 0, 0, 0, 0), pair.receive(10));
        assertEquals("SOCKS5 address type 0x02 is not supported (only 0x01 IPv4, 0x03 host name, 0x04 IPv6); replied 0x08",
                e.getMessage());
    }

    @Test
    void answersGeneralFailureForAnEmptyOrUnprintableHostName() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, Bytes.socks5Domain("bad host", 80)));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
        assertArrayEquals(of(5, 1, 0, 1, 0, 0, 0, 0, 0, 0), pair.receive(10));
        assertEquals("SOCKS5 host name contains byte 0x20 at position 4 (only printable ASCII is allowed); replied 0x01",
                e.getMessage());
    }

    @Test
    void readsSocks4ConnectAndEchoesPortAndAddressInTheReply() throws IOException {
        pair.send(Bytes.socks4Loopback(80));
        SocksHandshake handshake = handshake();

        SocksRequest request = handshake.readRequest();

        assertEquals(SocksVersion.SOCKS4, request.version());
        assertEquals(new Endpoint("127.0.0.1", 80), request.target());
        handshake.replySuccess();
        assertArrayEquals(of(0, 0x5A, 0, 80, 127, 0, 0, 1), pair.receive(8));
    }

    @Test
    void readsSocks4aConnectWithAHostName() throws IOException {
        pair.send(Bytes.socks4a("localhost", 8080));
        SocksHandshake handshake = handshake();

        SocksRequest request = handshake.readRequest();

        assertEquals(SocksVersion.SOCKS4A, request.version());
        assertEquals(new Endpoint("localhost", 8080), request.target());
        assertEquals("SOCKS4a CONNECT localhost:8080", request.toString());
        handshake.replyFailure(ChannelOpenException.Reason.REFUSED);
        assertArrayEquals(of(0, 0x5B, 0x1F, 0x90, 0, 0, 0, 1), pair.receive(8));
    }

    @Test
    void rejectsSocks4Bind() throws IOException {
        pair.send(concat(of(4, 2, 0, 80, 127, 0, 0, 1), of(0)));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(of(0, 0x5B, 0, 80, 127, 0, 0, 1), pair.receive(8));
        assertEquals("SOCKS4 command BIND (0x02) is not supported, only CONNECT; replied 0x5B", e.getMessage());
    }

    @Test
    void rejectsAnEmptySocks4aHostName() throws IOException {
        pair.send(Bytes.socks4a("", 80));

        SocksHandshakeException e = refused(handshake());

        assertArrayEquals(of(0, 0x5B, 0, 80, 0, 0, 0, 1), pair.receive(8));
        assertEquals("SOCKS4a host name is empty; replied 0x5B", e.getMessage());
    }

    @Test
    void readsAHandshakeSentOneByteAtATime() throws Exception {
        try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SocksRequest> request = thread.submit(() -> handshake().readRequest());

            for (byte b : GREETING_NO_AUTH) {
                pair.send(new byte[] {b});
            }
            assertArrayEquals(METHOD_NO_AUTH, pair.receive(2));
            for (byte b : Bytes.socks5Domain("localhost", 443)) {
                pair.send(new byte[] {b});
            }

            assertEquals(new Endpoint("localhost", 443), request.get(10, TimeUnit.SECONDS).target());
            assertArrayEquals(new byte[0], request.get().pending());
        }
    }

    @Test
    void readsASocks4aHandshakeSentOneByteAtATime() throws Exception {
        try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SocksRequest> request = thread.submit(() -> handshake().readRequest());

            for (byte b : Bytes.socks4a("localhost", 22)) {
                pair.send(new byte[] {b});
            }

            assertEquals(new Endpoint("localhost", 22), request.get(10, TimeUnit.SECONDS).target());
        }
    }

    @Test
    void givesBackPayloadPipelinedAfterASocks5Request() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, Bytes.socks5Loopback(80), ascii("GET / HTTP/1.0\r\n\r\n")));

        SocksRequest request = handshake().readRequest();

        assertEquals(new Endpoint("127.0.0.1", 80), request.target());
        assertEquals("GET / HTTP/1.0\r\n\r\n", pendingAndRest(request, 18));
    }

    @Test
    void givesBackPayloadPipelinedAfterASocks4aRequest() throws IOException {
        pair.send(concat(Bytes.socks4a("localhost", 80), ascii("hello")));

        SocksRequest request = handshake().readRequest();

        assertEquals(new Endpoint("localhost", 80), request.target());
        assertEquals("hello", pendingAndRest(request, 5));
    }

    /** The pending bytes plus what the socket still holds: together they must be the payload, in order. */
    private String pendingAndRest(SocksRequest request, int payloadLength) throws IOException {
        byte[] rest = pair.server().getInputStream().readNBytes(payloadLength - request.pending().length);
        return new String(concat(request.pending(), rest), StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "71 | first byte 0x47 is not SOCKS version 4 or 5: it looks like HTTP ('G'); the client must use this port as a SOCKS proxy, not an HTTP proxy",
        "22 | first byte 0x16 is not SOCKS version 4 or 5: it looks like TLS; the client must use this port as a SOCKS proxy, not connect to it directly",
        "0 | first byte 0x00 is not SOCKS version 4 or 5",
    })
    void refusesAnythingButSocks4Or5(int first, String message) throws IOException {
        pair.send(of(first, 1, 0));

        assertEquals(message, refused(handshake()).getMessage());
    }

    @Test
    void refusesASocks5RequestWithTheWrongVersion() throws IOException {
        pair.send(concat(GREETING_NO_AUTH, of(4, 1, 0, 1, 127, 0, 0, 1, 0, 80)));

        assertEquals("SOCKS5 request has version 0x04, not 0x05", refused(handshake()).getMessage());
    }

    @Test
    void reportsAClientThatClosesWithoutSendingAnything() throws IOException {
        pair.client().shutdownOutput();

        assertEquals("client closed the connection without sending anything", refused(handshake()).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "05                      | SOCKS5 greeting",
        "05 03 00 01             | SOCKS5 greeting",
        "05 01 00 05 01 00       | SOCKS5 request",
        "05 01 00 05 01 00 01 7F | SOCKS5 request",
        "05 01 00 05 01 00 03 09 6C 6F 63 | SOCKS5 host name",
        "05 01 00 05 01 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 | SOCKS5 request",
        "04 01 00 50 7F          | SOCKS4 request",
        "04 01 00 50 7F 00 00 01 75 73 | SOCKS4 user id",
        "04 01 00 50 00 00 00 01 00 6C 6F | SOCKS4a host name",
    })
    void reportsAHandshakeCutShort(String hex, String what) throws IOException {
        pair.send(hex(hex));
        pair.client().shutdownOutput();

        assertEquals("client closed the connection in the middle of the " + what, refused(handshake()).getMessage());
    }

    @Test
    void refusesASocks4UserIdLongerThan255Bytes() throws IOException {
        pair.send(concat(of(4, 1, 0, 80, 127, 0, 0, 1), repeat('u', 256), of(0)));

        assertEquals("SOCKS4 user id is longer than 255 bytes", refused(handshake()).getMessage());
    }

    @Test
    void acceptsASocks4UserIdOf255Bytes() throws IOException {
        pair.send(concat(of(4, 1, 0, 80, 127, 0, 0, 1), repeat('u', 255), of(0), ascii("x")));

        SocksRequest request = handshake().readRequest();

        assertEquals(new Endpoint("127.0.0.1", 80), request.target());
        assertEquals("x", pendingAndRest(request, 1));
    }

    @Test
    void refusesASocks4aHostNameLongerThan255BytesWithoutWaitingForItsEnd() throws IOException {
        pair.send(concat(of(4, 1, 0, 80, 0, 0, 0, 1, 0), repeat('h', 300)));

        assertEquals("SOCKS4a host name is longer than 255 bytes", refused(handshake()).getMessage());
    }

    @Test
    void acceptsASocks5HostNameOf255Bytes() throws IOException {
        String name = "h".repeat(255);
        pair.send(concat(GREETING_NO_AUTH, Bytes.socks5Domain(name, 80)));

        assertEquals(new Endpoint(name, 80), handshake().readRequest().target());
    }

    @Test
    void givesUpOnAClientThatDoesNotFinishInTime() throws IOException {
        pair.send(of(5));

        SocksHandshakeException e = assertThrows(SocksHandshakeException.class,
                () -> new SocksHandshake(pair.server(), Duration.ofMillis(200), Optional.empty()).readRequest());

        assertEquals("no complete SOCKS handshake within 200 ms (waiting for the SOCKS5 greeting)", e.getMessage());
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
