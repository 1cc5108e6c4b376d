package caret.plugin.dynamic;

import static caret.plugin.dynamic.Bytes.GREETING_NO_AUTH;
import static caret.plugin.dynamic.Bytes.METHOD_NO_AUTH;
import static caret.plugin.dynamic.Bytes.SOCKS5_SUCCESS;
import static caret.plugin.dynamic.Bytes.ascii;
import static caret.plugin.dynamic.Bytes.concat;
import static caret.plugin.dynamic.Bytes.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import caret.spi.RunningForward;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy as the engine runs it, through {@link DynamicForwardType#start}: real SOCKS clients on
 * 127.0.0.1, a connection whose "server" is this machine, and an echo server as the destination.
 */
class DynamicForwardTest {

    private final LoopbackContext context = new LoopbackContext();
    private EchoServer echo;
    private RunningForward forward;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = new EchoServer();
    }

    @AfterEach
    void stop() throws IOException {
        try {
            context.close();
        } finally {
            echo.close();
        }
    }

    private Socket startAndConnect(DynamicForwardType type, String spec) throws Exception {
        forward = type.start(type.parse(spec), context);
        Socket client = new Socket(SocketPair.LOOPBACK, forward.address().port());
        client.setTcpNoDelay(true);
        client.setSoTimeout(10_000);
        return client;
    }

    private Socket connect() throws Exception {
        return startAndConnect(new DynamicForwardType(), "0");
    }

    private static void send(Socket client, byte[] bytes) throws IOException {
        client.getOutputStream().write(bytes);
        client.getOutputStream().flush();
    }

    private static byte[] receive(Socket client, int count) throws IOException {
        return client.getInputStream().readNBytes(count);
    }

    private static Endpoint clientAddress(Socket client) {
        return new Endpoint("127.0.0.1", client.getLocalPort());
    }

    private String nextFailure() throws InterruptedException {
        String failure = context.failures.poll(10, TimeUnit.SECONDS);
        assertTrue(failure != null, "no failure was recorded");
        return failure;
    }

    @Test
    void carriesEveryByteToANamedDestinationAndBackAfterTheClientHalfCloses() throws Exception {
        try (Socket client = connect(); ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            send(client, concat(GREETING_NO_AUTH, Bytes.socks5Domain("localhost", echo.port())));
            assertArrayEquals(METHOD_NO_AUTH, receive(client, 2));
            assertArrayEquals(SOCKS5_SUCCESS, receive(client, 10));

            byte[] payload = new byte[1 << 20];
            new Random(42).nextBytes(payload);
            Future<?> sent = writer.submit(() -> {
                send(client, payload);
                client.shutdownOutput();
                return null;
            });
            byte[] back = client.getInputStream().readAllBytes();
            sent.get(10, TimeUnit.SECONDS);

            assertArrayEquals(payload, back);
            assertEquals(new LoopbackConnection.Open(new Endpoint("localhost", echo.port()), clientAddress(client)),
                    context.connection.opens.poll());
            assertTrue(context.failures.isEmpty(), () -> "failures: " + context.failures);
        }
    }

    @Test
    void reportsWhereItListensAsOnThisMachine() throws Exception {
        try (Socket client = connect()) {
            assertEquals(new Endpoint("127.0.0.1", client.getPort()), forward.address());
            assertFalse(forward.onServer());
            assertTrue(context.notices.isEmpty(), () -> "notices: " + context.notices);
        }
    }

    @Test
    void passesPayloadPipelinedWithASocks4RequestOnAfterTheReply() throws Exception {
        try (Socket client = connect()) {
            int port = echo.port();
            send(client, concat(Bytes.socks4Loopback(port), ascii("hello")));
            client.shutdownOutput();

            assertArrayEquals(of(0, 0x5A, port >> 8, port & 0xFF, 127, 0, 0, 1), receive(client, 8));
            assertEquals("hello", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void connectsSocks4aClientsByName() throws Exception {
        try (Socket client = connect()) {
            send(client, concat(Bytes.socks4a("localhost", echo.port()), ascii("ping")));

            assertEquals(0x5A, receive(client, 8)[1]);
            assertEquals("ping", new String(receive(client, 4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void sendsTheSuccessReplyOnlyOnceTheChannelIsOpen() throws Exception {
        CountDownLatch serverAnswers = new CountDownLatch(1);
        context.connection.holdOpensUntil(serverAnswers);
        try (Socket client = connect()) {
            send(client, concat(GREETING_NO_AUTH, Bytes.socks5Loopback(echo.port())));
            assertArrayEquals(METHOD_NO_AUTH, receive(client, 2));
            assertTrue(context.connection.opens.poll(10, TimeUnit.SECONDS) != null, "no channel was opened");

            assertEquals(0, client.getInputStream().available(), "replied before the server answered");
            serverAnswers.countDown();

            assertArrayEquals(SOCKS5_SUCCESS, receive(client, 10));
        }
    }

    @Test
    void answersConnectionRefusedAndRecordsClientDestinationAndServerAnswer() throws Exception {
        int closedPort;
        try (ServerSocket unused = new ServerSocket(0, 1, SocketPair.LOOPBACK)) {
            closedPort = unused.getLocalPort();
        }
        try (Socket client = connect()) {
            send(client, concat(GREETING_NO_AUTH, Bytes.socks5Loopback(closedPort)));

            assertArrayEquals(METHOD_NO_AUTH, receive(client, 2));
            assertArrayEquals(of(5, 5, 0, 1, 0, 0, 0, 0, 0, 0), receive(client, 10));
            assertEquals(-1, client.getInputStream().read());
            assertEquals("SOCKS5 CONNECT 127.0.0.1:" + closedPort + " from " + clientAddress(client)
                    + ": server could not open a channel to 127.0.0.1:" + closedPort + ": Connection refused", nextFailure());
        }
    }

    @Test
    void answersNotAllowedWhenTheServerProhibitsTheDestination() throws Exception {
        Endpoint target = new Endpoint("localhost", 25);
        context.connection.failWith(new ChannelOpenException(target, ChannelOpenException.Reason.PROHIBITED,
                "administratively prohibited: open failed"));
        try (Socket client = connect()) {
            send(client, concat(GREETING_NO_AUTH, Bytes.socks5Domain("localhost", 25)));

            assertArrayEquals(METHOD_NO_AUTH, receive(client, 2));
            assertArrayEquals(of(5, 2, 0, 1, 0, 0, 0, 0, 0, 0), receive(client, 10));
            assertEquals(-1, client.getInputStream().read());
            assertEquals("SOCKS5 CONNECT localhost:25 from " + clientAddress(client)
                    + ": server could not open a channel to localhost:25: administratively prohibited: open failed",
                    nextFailure());
        }
    }

    @Test
    void answersSocks4RejectedWhenTheSshConnectionIsLost() throws Exception {
        context.connection.failWith(new IOException("SSH connection closed"));
        try (Socket client = connect()) {
            send(client, Bytes.socks4a("localhost", 80));

            assertArrayEquals(of(0, 0x5B, 0, 80, 0, 0, 0, 1), receive(client, 8));
            assertEquals(-1, client.getInputStream().read());
            assertEquals("SOCKS4a CONNECT localhost:80 from " + clientAddress(client)
                    + ": could not open a channel: SSH connection closed", nextFailure());
        }
    }

    @Test
    void answersGeneralFailureWhenTheSshConnectionIsLost() throws Exception {
        context.connection.failWith(new IOException("SSH connection closed"));
        try (Socket client = connect()) {
            send(client, concat(GREETING_NO_AUTH, Bytes.socks5Loopback(9)));

            receive(client, 2);
            assertArrayEquals(of(5, 1, 0, 1, 0, 0, 0, 0, 0, 0), receive(client, 10));
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void closesAClientThatDoesNotSpeakSocksAndKeepsServingOthers() throws Exception {
        try (Socket client = connect()) {
            send(client, ascii("GET / HTTP/1.1\r\nHost: example\r\n\r\n"));

            assertEquals(-1, client.getInputStream().read());
            assertEquals("SOCKS handshake from " + clientAddress(client) + ": first byte 0x47 is not SOCKS version 4 or 5: "
                    + "it looks like HTTP ('G'); the client must use this port as a SOCKS proxy, not an HTTP proxy",
                    nextFailure());
        }
        try (Socket next = new Socket(SocketPair.LOOPBACK, forward.address().port())) {
            next.setSoTimeout(10_000);
            send(next, concat(Bytes.socks4Loopback(echo.port()), ascii("still here")));

            assertEquals(0x5A, receive(next, 8)[1]);
            assertEquals("still here", new String(receive(next, 10), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void closesAClientWhoseHandshakeTakesTooLong() throws Exception {
        try (Socket client = startAndConnect(new DynamicForwardType(Duration.ofMillis(300)), "0")) {
            send(client, of(5));

            assertEquals(-1, client.getInputStream().read());
            assertEquals("SOCKS handshake from " + clientAddress(client)
                    + ": no complete SOCKS handshake within 300 ms (waiting for the SOCKS5 greeting)", nextFailure());
        }
    }

    @Test
    void warnsThatAProxyOnEveryInterfaceIsOpenToOtherMachines() throws Exception {
        try (Socket client = startAndConnect(new DynamicForwardType(), "*:0")) {
            assertEquals(new Endpoint("0.0.0.0", client.getPort()), forward.address());
            assertEquals(1, context.notices.size());
            assertEquals("SOCKS proxy on 0.0.0.0:" + client.getPort() + " takes connections from other machines, "
                    + "without authentication, and sends them on through the server: bind 127.0.0.1 unless that is what you want",
                    context.notices.getFirst());
        }
    }
}
