package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.ForwardState;
import caret.core.HostKeyPolicy;
import caret.core.Server;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.InvalidSpecException;
import caret.spi.TransportException;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import caret.testkit.UnreachableDestination;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every documented failure gets a message that says what happened and what to do, and harms nothing
 * else: on every transport, with the same words.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("caret.launcher.Transports#all")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailuresExplainedTest {

    @Parameter
    String transport;

    Path dir;

    OpenSshServer sshd;
    EchoServer echo;
    Caret caret;
    Server server;
    Forward healthy;
    final List<ForwardEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startPeers(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        echo = EchoServer.start();
        caret = Caret.load();
        caret.addListener(events::add);
    }

    @BeforeParameterizedClassInvocation
    void connect() throws Exception {
        server = caret.connect(transport, Fixtures.settings(sshd));
        healthy = server.start(caret.parse("local", "0:127.0.0.1:" + echo.port()));
    }

    @AfterParameterizedClassInvocation
    void disconnect() {
        server.close();
    }

    @AfterAll
    void close() {
        caret.close();
        echo.close();
        sshd.close();
    }

    @Test
    void localPortInUseSaysWhichAndWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            ForwardException e = assertThrows(ForwardException.class,
                    () -> server.start(caret.parse("local", port + ":127.0.0.1:" + echo.port())));
            assertEquals(ForwardException.Reason.LOCAL_PORT_IN_USE, e.reason());
            assertEquals("Local port " + port + " is already in use on 127.0.0.1: choose another local port or stop the"
                    + " program using it (ss -ltnp 'sport = :" + port + "' shows which)", e.getMessage());
            var dynamic = assertThrows(ForwardException.class, () -> server.start(caret.parse("dynamic", Integer.toString(port))));
            assertEquals(ForwardException.Reason.LOCAL_PORT_IN_USE, dynamic.reason());
        }
        assertHealthyForwardStillWorks();
    }

    @Test
    void serverRefusingARemoteBindSaysWhyItMayBe(@TempDir Path other) throws Exception {
        try (OpenSshServer strict = OpenSshServer.start(other, "PermitListen none", "PermitOpen 127.0.0.1:" + echo.port());
                Caret own = Caret.load()) {
            Server strictServer = own.connect(transport, Fixtures.settings(strict));
            ForwardException e = assertThrows(ForwardException.class,
                    () -> strictServer.start(own.parse("reverse", "0:127.0.0.1:" + echo.port())));
            assertEquals(ForwardException.Reason.REMOTE_BIND_REFUSED, e.reason());
            assertTrue(e.getMessage().startsWith("server " + strict.endpoint() + " refused to listen on localhost:0"), e.getMessage());
            assertTrue(e.getMessage().contains("AllowTcpForwarding, GatewayPorts, PermitListen"), e.getMessage());
            // the connection and a local forward on it still work
            Forward local = strictServer.start(own.parse("local", "0:127.0.0.1:" + echo.port()));
            assertRoundTrip(local.status().address());
            // PermitOpen forbids every other destination: SOCKS says "not allowed by ruleset", the local forward logs why
            Forward socks = strictServer.start(own.parse("dynamic", "0"));
            var prohibited = assertThrows(SocksClient.Refused.class,
                    () -> SocksClient.socks5(socks.status().address(), new Endpoint("127.0.0.1", Fixtures.closedPort())));
            assertEquals(0x02, prohibited.code);
            Await.until("the refusal recorded", () -> socks.status().lastError() != null);
            assertTrue(socks.status().lastError().contains("the server forbids forwarding there"), socks.status().lastError());
        }
    }

    @Test
    void refusedDestinationIsLoggedAndTheForwardStaysUp() throws Exception {
        int closed = Fixtures.closedPort();
        Forward toNothing = server.start(caret.parse("local", "0:127.0.0.1:" + closed));
        try {
            for (int i = 0; i < 2; i++) {
                try (Socket socket = Fixtures.connect(toNothing.status().address())) {
                    ForwardContract.assertClosed(socket);
                }
            }
            Await.until("two connection failures reported", () -> events.stream()
                    .filter(e -> e instanceof ForwardEvent.ConnectionFailed f && f.forward().equals(toNothing.name())).count() == 2);
            String message = toNothing.status().lastError();
            assertTrue(message.contains("server could not open a channel to 127.0.0.1:" + closed + ": Connection refused"), message);
            assertTrue(message.contains("nothing listens on 127.0.0.1:" + closed + " as seen from the server"), message);
            assertEquals(ForwardState.READY, toNothing.status().state());
        } finally {
            toNothing.stop();
        }
        assertHealthyForwardStillWorks();
    }

    @Test
    void unreachableDestinationIsLoggedAndTheForwardStaysUp() throws Exception {
        assumeTrue(UnreachableDestination.available(), "needs root and iptables (./test installs it)");
        try (UnreachableDestination far = UnreachableDestination.host()) {
            Forward toNowhere = server.start(caret.parse("local", "0:" + far.endpoint().host() + ":" + far.endpoint().port()));
            try {
                try (Socket socket = Fixtures.connect(toNowhere.status().address())) {
                    ForwardContract.assertClosed(socket);
                }
                Await.until("failure reported", () -> toNowhere.status().lastError() != null);
                String message = toNowhere.status().lastError();
                assertTrue(message.contains("No route to host"), message);
                assertTrue(message.contains("the server cannot reach " + far.endpoint().host()), message);
                assertEquals(ForwardState.READY, toNowhere.status().state());
            } finally {
                toNowhere.stop();
            }
        }
    }

    @Test
    void reverseForwardToAStoppedLocalServiceSaysSo() throws Exception {
        int closed = Fixtures.closedPort();
        Forward reverse = server.start(caret.parse("reverse", "0:127.0.0.1:" + closed));
        try {
            try (Socket socket = Fixtures.connect(new Endpoint("127.0.0.1", reverse.status().address().port()))) {
                ForwardContract.assertClosed(socket);
            }
            Await.until("failure reported", () -> reverse.status().lastError() != null);
            String message = reverse.status().lastError();
            assertTrue(message.contains("to 127.0.0.1:" + closed + " failed"), message);
            assertTrue(message.contains("is it running on this machine?"), message);
            assertEquals(ForwardState.READY, reverse.status().state());
        } finally {
            reverse.stop();
        }
    }

    @Test
    void authenticationFailureSaysWhatWasTried() throws Exception {
        Path stranger = dir.resolve("stranger-" + transport);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString())
                .redirectErrorStream(true).start();
        assertTrue(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0);
        TransportException e = assertThrows(TransportException.class, () -> caret.connect(transport,
                Fixtures.settings(sshd, List.of(stranger), sshd.knownHosts(), HostKeyPolicy.YES)));
        assertEquals(TransportException.Reason.AUTH_FAILED, e.reason());
        assertTrue(e.getMessage().contains(stranger.toString()), e.getMessage());
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty_known_hosts-" + transport));
        TransportException e = assertThrows(TransportException.class, () -> caret.connect(transport,
                Fixtures.settings(sshd, List.of(sshd.userKey()), empty, HostKeyPolicy.YES)));
        assertEquals(TransportException.Reason.HOST_KEY_UNKNOWN, e.reason());
        assertTrue(e.getMessage().contains("The host key of [127.0.0.1]:" + sshd.port() + " is not known: ED25519 SHA256:"), e.getMessage());
        assertTrue(e.getMessage().contains("StrictHostKeyChecking=accept-new"), e.getMessage());
    }

    @Test
    void changedHostKeyIsRefusedNamingTheFileAndLine() throws Exception {
        Path knownHosts = dir.resolve("changed_known_hosts-" + transport);
        String otherKey = Files.readString(Path.of(sshd.userKey() + ".pub")).split(" ")[1];
        Files.writeString(knownHosts, "# a comment\n[127.0.0.1]:" + sshd.port() + " ssh-ed25519 " + otherKey + "\n");
        for (HostKeyPolicy policy : HostKeyPolicy.values()) {
            TransportException e = assertThrows(TransportException.class, () -> caret.connect(transport,
                    Fixtures.settings(sshd, List.of(sshd.userKey()), knownHosts, policy)));
            assertEquals(TransportException.Reason.HOST_KEY_CHANGED, e.reason(), policy.name());
            assertTrue(e.getMessage().contains(knownHosts + ":2"), e.getMessage());
            assertTrue(e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:" + sshd.port() + "'"), e.getMessage());
        }
    }

    @Test
    void malformedSpecsNameTheSpecAndTheExpectedForm() {
        assertBad("local", "8080", "Bad local forward '8080': it has 1 field, not 3 or 4; expected [bind_address:]port:host:hostport");
        assertBad("local", "80x:db:5432", "Bad local forward '80x:db:5432': port '80x' is not a port number (0 to 65535);"
                + " expected [bind_address:]port:host:hostport");
        assertBad("local", "8080:db:70000", "Bad local forward '8080:db:70000': hostport 70000 is out of range (0 to 65535);"
                + " expected [bind_address:]port:host:hostport");
        assertBad("reverse", "a:b:c:d:e", "Bad remote forward 'a:b:c:d:e': it has 5 fields, not 3 or 4 (put an IPv6 address"
                + " in brackets); expected [bind_address:]port:host:hostport");
        assertBad("local", "[::1:8080:db:5432", "Bad local forward '[::1:8080:db:5432': '[' at position 1 is not closed;"
                + " expected [bind_address:]port:host:hostport");
        assertThrows(InvalidSpecException.class, () -> caret.parse("dynamic", "10x80"));
    }

    private void assertBad(String type, String spec, String message) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> caret.parse(type, spec));
        assertEquals(message, e.getMessage());
    }

    private void assertHealthyForwardStillWorks() throws IOException {
        assertEquals(ForwardState.READY, healthy.status().state());
        assertRoundTrip(healthy.status().address());
    }

    private static void assertRoundTrip(Endpoint address) throws IOException {
        try (Socket socket = Fixtures.connect(address)) {
            socket.getOutputStream().write('k');
            assertEquals('k', socket.getInputStream().read());
        }
    }

}
