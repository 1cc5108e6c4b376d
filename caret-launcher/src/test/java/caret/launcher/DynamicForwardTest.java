package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.ForwardState;
import caret.spi.Endpoint;
import caret.testkit.UnreachableDestination;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code -D}: a SOCKS 4, 4a and 5 proxy on this machine whose connections go through the server; with
 * a user and password, SOCKS5 only and only for clients that give them.
 */
class DynamicForwardTest extends ForwardContract {

    @Override
    String type() {
        return "dynamic";
    }

    @Override
    String spec(int port, Endpoint destination) {
        return Integer.toString(port);
    }

    @Override
    Socket open(Forward forward, Endpoint destination) throws IOException {
        Socket socket = SocksClient.socks5(forward.status().address(), destination);
        socket.setSoTimeout(60_000);
        return socket;
    }

    @Override
    List<String> curl(Forward forward, int webPort) {
        return List.of("--socks5-hostname", forward.status().address().toString(), "http://localhost:" + webPort + "/");
    }

    private String proxy() {
        return forward.status().address().toString();
    }

    private String page() {
        return "http://127.0.0.1:" + web.port() + "/";
    }

    @Test
    void servesCurlOverSocks5WithLocalResolution() throws Exception {
        assertEquals(WebPage.BODY, Curl.fetch("--socks5", proxy(), page()));
    }

    @Test
    void anHttpClientAtTheWrongAddressIsToldHowToUseTheProxy() throws Exception {
        String expected = "This is a SOCKS proxy (a Caret dynamic forward), not a web server or an HTTP proxy.\n"
                + "Set " + proxy() + " as a SOCKS5 proxy in your application, e.g. curl --proxy socks5h://" + proxy() + " URL\n";
        // A browser pointed at the proxy as if it were the page ...
        Curl.Result direct = Curl.run("http://" + proxy() + "/");
        assertEquals(expected, direct.output());
        // ... or as an HTTP proxy: it sends CONNECT or a GET with a full URL.
        Curl.Result asHttpProxy = Curl.run("--proxy", "http://" + proxy(), page());
        assertEquals(expected, asHttpProxy.output());
        Await.until("the mistake logged", () -> events.stream().anyMatch(e -> e instanceof ForwardEvent.ConnectionFailed f
                && f.message().contains("it looks like HTTP")));
    }

    @Test
    void servesCurlOverSocks4a() throws Exception {
        assertEquals(WebPage.BODY, Curl.fetch("--socks4a", proxy(), "http://localhost:" + web.port() + "/"));
    }

    @Test
    void servesCurlOverSocks4() throws Exception {
        assertEquals(WebPage.BODY, Curl.fetch("--socks4", proxy(), page()));
    }

    @Test
    void connectsToAnIpv6DestinationThroughTheServer() throws Exception {
        try (ServerSocket ipv6 = new ServerSocket(0, 50, InetAddress.ofLiteral("::1"))) {
            Thread.ofVirtual().start(() -> {
                try (Socket accepted = ipv6.accept()) {
                    accepted.getInputStream().transferTo(accepted.getOutputStream()); // echo until EOF
                } catch (IOException e) {
                    // the assertion below reports it
                }
            });
            try (Socket socket = SocksClient.socks5(forward.status().address(), new Endpoint("::1", ipv6.getLocalPort()))) {
                socket.getOutputStream().write("over IPv6".getBytes());
                socket.shutdownOutput();
                assertEquals("over IPv6", new String(socket.getInputStream().readAllBytes()));
            }
        }
    }

    @Test
    void listensOnLoopbackByDefault() {
        assertEquals("127.0.0.1", forward.status().address().host());
    }

    @Test
    void repliesConnectionRefusedWhenNothingListensAtTheDestination() throws Exception {
        int closed = Fixtures.closedPort();
        var refused = assertThrows(SocksClient.Refused.class,
                () -> SocksClient.socks5(forward.status().address(), new Endpoint("127.0.0.1", closed)));
        assertEquals(0x05, refused.code);
        var refused4 = assertThrows(SocksClient.Refused.class,
                () -> SocksClient.socks4(forward.status().address(), new Endpoint("127.0.0.1", closed)));
        assertEquals(0x5b, refused4.code);
        assertEquals(ForwardState.READY, forward.status().state());
    }

    @Test
    void repliesNetworkUnreachableWhenTheServerHasNoRouteToTheNetwork() throws Exception {
        assumeTrue(UnreachableDestination.available(), "needs root and iptables (./test installs it)");
        try (UnreachableDestination far = UnreachableDestination.network()) {
            var refused = assertThrows(SocksClient.Refused.class, () -> SocksClient.socks5(forward.status().address(), far.endpoint()));
            assertEquals(0x03, refused.code);
        }
    }

    @Test
    void repliesHostUnreachableWhenTheServerHasNoRouteToTheHost() throws Exception {
        assumeTrue(UnreachableDestination.available(), "needs root and iptables (./test installs it)");
        try (UnreachableDestination far = UnreachableDestination.host()) {
            var refused = assertThrows(SocksClient.Refused.class, () -> SocksClient.socks5(forward.status().address(), far.endpoint()));
            assertEquals(0x04, refused.code);
            var refused4 = assertThrows(SocksClient.Refused.class, () -> SocksClient.socks4(forward.status().address(), far.endpoint()));
            assertEquals(0x5b, refused4.code);
        }
    }

    @Test
    void repliesGeneralFailureWhenTheServerGivesNoReason() {
        // OpenSSH answers a connect that fails at once (255.255.255.255: ENETUNREACH, no packet sent) with a bare
        // "open failed", which says nothing more precise than SOCKS's general failure.
        var failed = assertThrows(SocksClient.Refused.class,
                () -> SocksClient.socks5(forward.status().address(), new Endpoint("255.255.255.255", 80)));
        assertEquals(0x01, failed.code);
    }

    @Test
    void takesPayloadPipelinedWithTheHandshake() throws Exception {
        try (Socket socket = SocksClient.connect(forward.status().address())) {
            byte[] handshake = SocksClient.socks5Request(echo.endpoint());
            byte[] payload = "pipelined payload".getBytes();
            byte[] all = new byte[handshake.length + payload.length];
            System.arraycopy(handshake, 0, all, 0, handshake.length);
            System.arraycopy(payload, 0, all, handshake.length, payload.length);
            socket.getOutputStream().write(all);
            socket.shutdownOutput();
            byte[] answer = socket.getInputStream().readAllBytes();
            byte[] echoed = new byte[payload.length];
            System.arraycopy(answer, answer.length - payload.length, echoed, 0, payload.length);
            assertEquals(2 + 10 + payload.length, answer.length); // method reply, CONNECT reply, echo
            assertArrayEquals(payload, echoed);
        }
    }

    @Test
    void survives100GarbageHandshakes() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            try (Socket socket = SocksClient.connect(forward.status().address())) {
                byte[] garbage = garbage(random, i);
                OutputStream out = socket.getOutputStream();
                out.write(garbage);
                socket.shutdownOutput();
                socket.getInputStream().readAllBytes(); // the proxy answers or closes, never hangs
            } catch (IOException reset) {
                // a reset is a close too
            }
        }
        assertEquals(ForwardState.READY, forward.status().state());
        carriesOneByteThereAndBack();
    }

    /**
     * Broken handshakes that can never become a valid CONNECT, so no test ever asks the server to
     * connect to a random address: SOCKS5 offering no acceptable method, SOCKS4 with a command
     * other than CONNECT, SOCKS5 with a bad command, and other first bytes.
     */
    private static byte[] garbage(Random random, int i) {
        byte[] garbage = new byte[2 + random.nextInt(300)];
        random.nextBytes(garbage);
        switch (i % 4) {
            case 0 -> {
                garbage[0] = 5;
                for (int m = 2; m < garbage.length; m++) {
                    garbage[m] = (byte) (3 + random.nextInt(250)); // never method 0 (no auth)
                }
            }
            case 1 -> {
                garbage[0] = 4;
                garbage[1] = (byte) (2 + random.nextInt(250)); // never command 1 (CONNECT)
            }
            case 2 -> {
                byte[] prefix = {5, 1, 0, 5, (byte) (2 + random.nextInt(250))}; // never command 1
                System.arraycopy(prefix, 0, garbage, 0, Math.min(prefix.length, garbage.length));
            }
            default -> {
                while (garbage[0] == 4 || garbage[0] == 5) {
                    garbage[0] = (byte) random.nextInt(256);
                }
            }
        }
        return garbage;
    }

    private static final String SOCKS_PASSWORD = "s3cret";
    private static final Map<String, String> ALICE = Map.of("user", "alice", "password", SOCKS_PASSWORD);

    private Forward startWithPassword() throws Exception {
        return server.start(caret.parse("dynamic", "0", ALICE));
    }

    private static String proxyAs(String user, String password, Forward forward) {
        return "socks5h://" + user + ":" + password + "@" + forward.status().address();
    }

    /** Waits until the forward has recorded a failure containing {@code text}, and returns it. */
    private static String awaitError(Forward forward, String text) {
        Await.until("a failure with '" + text + "' in " + forward.status(),
                () -> forward.status().error().filter(error -> error.contains(text)).isPresent());
        return forward.status().error().orElseThrow();
    }

    @Test
    void servesCurlThatGivesTheSocksUserAndPassword() throws Exception {
        Forward guarded = startWithPassword();
        try {
            assertEquals(WebPage.BODY, Curl.fetch("--proxy", proxyAs("alice", SOCKS_PASSWORD, guarded), page()));
        } finally {
            guarded.stop();
        }
    }

    @Test
    void refusesAWrongPasswordAndStillServesTheRightOne() throws Exception {
        Forward guarded = startWithPassword();
        try {
            String wrong = "not-" + SOCKS_PASSWORD + "-at-all";
            Curl.Result refused = Curl.run("--proxy", proxyAs("alice", wrong, guarded), page());

            assertNotEquals(0, refused.exit(), refused.output());
            assertFalse(refused.output().contains(WebPage.BODY), refused.output());
            String error = awaitError(guarded, "SOCKS5 authentication failed for user 'alice': wrong password");
            assertTrue(error.startsWith("SOCKS handshake from 127.0.0.1:"), error);
            assertFalse(error.contains(wrong) || error.contains(SOCKS_PASSWORD), error);
            assertEquals(ForwardState.READY, guarded.status().state());
            assertEquals(WebPage.BODY, Curl.fetch("--proxy", proxyAs("alice", SOCKS_PASSWORD, guarded), page()));
        } finally {
            guarded.stop();
        }
    }

    @Test
    void refusesSocks4ClientsWhenItHasAPassword() throws Exception {
        Forward guarded = startWithPassword();
        try {
            var refused = assertThrows(SocksClient.Refused.class,
                    () -> SocksClient.socks4(guarded.status().address(), new Endpoint("127.0.0.1", web.port())));

            assertEquals(0x5b, refused.code);
            awaitError(guarded, "SOCKS4 is refused: this proxy requires a password, which SOCKS4 cannot carry; use SOCKS5");
            assertNotEquals(0, Curl.run("--socks4", guarded.status().address().toString(), page()).exit());
            assertEquals(ForwardState.READY, guarded.status().state());
        } finally {
            guarded.stop();
        }
    }

    @Test
    void refusesAClientThatOffersNoPassword() throws Exception {
        Forward guarded = startWithPassword();
        try {
            IOException refused = assertThrows(IOException.class,
                    () -> SocksClient.socks5(guarded.status().address(), new Endpoint("127.0.0.1", web.port())));

            assertEquals("SOCKS5 method reply 5,-1", refused.getMessage()); // 05 FF: no acceptable method
            assertNotEquals(0, Curl.run("--socks5-hostname", guarded.status().address().toString(), page()).exit());
            awaitError(guarded, "this proxy requires a username and password (0x02)");
        } finally {
            guarded.stop();
        }
    }

    @Test
    void warnsThatAnyoneCanUseAProxyWithoutPasswordOnEveryInterface() throws Exception {
        int before = events.size();
        Forward open = start(0, null);
        Forward wide = server.start(caret.parse("dynamic", "0.0.0.0:0"));
        try {
            List<String> notices = notices(before);
            assertEquals(1, notices.size(), notices::toString);
            assertTrue(notices.getFirst().contains("dynamic 0.0.0.0:0 listens on 0.0.0.0:" + wide.status().address().port()
                    + " without a password: anyone who can reach"), notices::toString);
            assertTrue(notices.getFirst().contains("--socks-user USER") && notices.getFirst().contains("CARET_SOCKS_PASSWORD"),
                    notices::toString);
        } finally {
            wide.stop();
            open.stop();
        }
        int guardedAt = events.size();
        Forward guarded = server.start(caret.parse("dynamic", "0.0.0.0:0", ALICE));
        try {
            assertEquals(List.of(), notices(guardedAt));
        } finally {
            guarded.stop();
        }
    }

    /** The messages of the notices published since event number {@code from}. */
    private List<String> notices(int from) {
        return events.subList(from, events.size()).stream().filter(ForwardEvent.Notice.class::isInstance)
                .map(ForwardEvent.Notice.class::cast).map(ForwardEvent.Notice::message).toList();
    }
}
