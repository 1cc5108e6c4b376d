package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.Caret;
import caret.core.ConnectionEvent;
import caret.core.ConnectionState;
import caret.core.Forward;
import caret.core.ForwardState;
import caret.core.Reconnect;
import caret.core.Server;
import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real sshd killed (SIGKILL) and started again: the applications' connections end instead of
 * hanging, local and dynamic listeners keep their ports through the outage, every forward that was
 * on works again within 5 s of the server's return, a reverse port the server still holds is retried
 * while the others come back, and another server's forwards never stop.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("caret.launcher.Transports#all")
class ReconnectTest {

    private static final Reconnect QUICK = new Reconnect(true, Duration.ofMillis(300), Duration.ofSeconds(2));
    private static final Duration BACK_WITHIN = Duration.ofSeconds(5);

    @Parameter
    String transport;

    @TempDir
    Path dir;

    OpenSshServer sshd;
    EchoServer echo;
    Caret caret;
    final List<ConnectionEvent> connectionEvents = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        sshd = OpenSshServer.start(dir.resolve("a"));
        echo = EchoServer.start();
        caret = Caret.load();
        caret.addConnectionListener(connectionEvents::add);
    }

    @AfterEach
    void stop() {
        caret.close();
        echo.close();
        sshd.close();
    }

    @Test
    void forwardsKeepTheirPortsThroughAnOutageAndWorkAgainWithinFiveSeconds() throws Exception {
        Server server = caret.connect("a", transport, Fixtures.settings(sshd), QUICK);
        Forward local = server.add("db", caret.parse("local", "0:" + echo.endpoint()), true);
        Forward socks = server.add("socks", caret.parse("dynamic", "0"), true);
        Endpoint localAddress = local.status().address();
        Endpoint socksAddress = socks.status().address();

        ExecutorService app = Executors.newVirtualThreadPerTaskExecutor();
        try (Socket midTransfer = Fixtures.connect(localAddress)) {
            Future<Long> received = app.submit(() -> drain(midTransfer.getInputStream()));
            Future<?> sending = app.submit(() -> {
                Traffic.send(midTransfer, 7, 64L << 20);
                return null;
            });
            Await.until("bytes flowing", () -> local.status().bytesFromServer() > 0);

            sshd.kill();

            // The application sees its connection end, both ways: no hang. (Its writes fail once the
            // connection is closed; "done, or else cancelled" raced with that failure.)
            received.get(20, TimeUnit.SECONDS);
            try {
                sending.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException writeFailed) {
                // expected: the connection ended while the application was still sending
            }
        } finally {
            app.shutdownNow();
        }
        Await.until("the loss noticed", () -> server.state() == ConnectionState.RECONNECTING);
        Await.until("the forwards waiting", () -> local.status().state() == ForwardState.WAITING
                && socks.status().state() == ForwardState.WAITING);
        assertTrue(local.status().lastError().contains("lost") || local.status().lastError().contains("closed"),
                local.status().lastError());
        assertHeld(localAddress);
        assertHeld(socksAddress);

        sshd = sshd.restart();
        long back = System.nanoTime();
        Await.until("local forward back", BACK_WITHIN, () -> Traffic.roundTrips(localAddress));
        Await.until("dynamic forward back", BACK_WITHIN, () -> socksRoundTrips(socksAddress));
        Duration took = Duration.ofNanos(System.nanoTime() - back);
        assertTrue(took.compareTo(BACK_WITHIN) <= 0, "back after " + took);
        assertEquals(localAddress, local.status().address(), "the same port");
        assertEquals(ForwardState.READY, local.status().state());
        assertEquals(ConnectionState.UP, server.state());
        assertTrue(connectionEvents.stream().anyMatch(e -> e instanceof ConnectionEvent.Retrying r
                && r.attempt() >= 1 && r.delay().toMillis() > 0), connectionEvents::toString);
    }

    @Test
    void aServerThatStopsAnsweringIsNoticedByKeepaliveAndReconnected() throws Exception {
        ConnectionSettings quiet = Fixtures.settings(sshd);
        ConnectionSettings keepalive = new ConnectionSettings(quiet.server(), quiet.user(), quiet.identities(), quiet.hostKeys(),
                quiet.prompt(), Duration.ofSeconds(1), 2, quiet.connectTimeout());
        Server server = caret.connect("a", transport, keepalive, QUICK);
        Forward local = server.add("db", caret.parse("local", "0:" + echo.endpoint()), true);
        Endpoint address = local.status().address();
        assertTrue(Traffic.roundTrips(address));

        long frozen = System.nanoTime();
        assertTrue(sshd.freezeConnections() > 0, "the connection's sshd process stopped");
        Await.until("the silence noticed", Duration.ofSeconds(15), () -> server.state() != ConnectionState.UP);
        Duration noticed = Duration.ofNanos(System.nanoTime() - frozen);
        assertTrue(noticed.compareTo(Duration.ofSeconds(1 * 2 + 3)) <= 0, "noticed after " + noticed + " (interval 1 s x 2)");
        // sshd's listener still answers: the new connection gets a new, live process.
        Await.until("forward back", BACK_WITHIN, () -> Traffic.roundTrips(address));
        assertEquals(ConnectionState.UP, server.state());
    }

    @Test
    void aReverseForwardComesBackOnItsPort() throws Exception {
        Server server = caret.connect("a", transport, Fixtures.settings(sshd), QUICK);
        int port = Fixtures.closedPort();
        Forward reverse = server.add("api", caret.parse("reverse", port + ":" + echo.endpoint()), true);
        Endpoint onServer = new Endpoint("127.0.0.1", port); // the server is this machine
        assertTrue(Traffic.roundTrips(onServer));

        sshd.kill();
        Await.until("the forward waiting", () -> reverse.status().state() == ForwardState.WAITING);
        sshd = sshd.restart();

        Await.until("reverse forward back", BACK_WITHIN, () -> Traffic.roundTrips(onServer));
        Await.until("ready", () -> reverse.status().state() == ForwardState.READY);
        assertEquals(port, reverse.status().address().port());
    }

    @Test
    void aReversePortTheServerStillHoldsIsRetriedWhileTheOthersComeBack() throws Exception {
        Server server = caret.connect("a", transport, Fixtures.settings(sshd), QUICK);
        int port = Fixtures.closedPort();
        Forward reverse = server.add("api", caret.parse("reverse", port + ":" + echo.endpoint()), true);
        Forward local = server.add("db", caret.parse("local", "0:" + echo.endpoint()), true);

        sshd.kill();
        Await.until("the forwards waiting", () -> reverse.status().state() == ForwardState.WAITING);
        // As a server that has not yet noticed the lost session does: the port stays taken (sshd binds
        // "localhost" on both loopbacks and is content with either).
        try (ServerSocket held = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
                ServerSocket heldToo = new ServerSocket(port, 50, InetAddress.getByName("::1"))) {
            sshd = sshd.restart();
            Await.until("local forward back without waiting for the reverse one", BACK_WITHIN,
                    () -> Traffic.roundTrips(local.status().address()));
            Await.until("the refusal explained", () -> reverse.status().state() == ForwardState.WAITING
                    && String.valueOf(reverse.status().lastError()).contains("retrying in"));
            String why = reverse.status().lastError();
            assertTrue(why.contains("still hold that port"), why);
            assertTrue(why.contains("attempt"), why);
        }
        Await.until("reverse forward back once the port is free", Duration.ofSeconds(15),
                () -> Traffic.roundTrips(new Endpoint("127.0.0.1", port)));
        assertEquals(ForwardState.READY, reverse.status().state());
    }

    @Test
    void anotherServersForwardsNeverStop() throws Exception {
        try (OpenSshServer other = OpenSshServer.start(dir.resolve("b"))) {
            Server a = caret.connect("a", transport, Fixtures.settings(sshd), QUICK);
            Server b = caret.connect("b", transport, Fixtures.settings(other), QUICK);
            a.add("db", caret.parse("local", "0:" + echo.endpoint()), true);
            Forward steady = b.add("db", caret.parse("local", "0:" + echo.endpoint()), true);

            ExecutorService app = Executors.newVirtualThreadPerTaskExecutor();
            try (Socket socket = Fixtures.connect(steady.status().address())) {
                long size = 32L << 20;
                Future<String> echoed = app.submit(() -> Traffic.echo(socket, 11, size));
                Await.until("bytes flowing", () -> steady.status().bytesFromServer() > 0);
                sshd.kill();
                Await.until("a lost", () -> a.state() == ConnectionState.RECONNECTING);
                assertEquals(ForwardState.READY, steady.status().state());
                sshd = sshd.restart();
                assertEquals(size + ":" + Traffic.expected(11, size), echoed.get(60, TimeUnit.SECONDS), "every byte, through b");
            } finally {
                app.shutdownNow();
            }
            assertEquals(ConnectionState.UP, b.state());
            assertEquals(ForwardState.READY, steady.status().state());
            assertTrue(Traffic.roundTrips(steady.status().address()));
        }
    }

    @Test
    void aForwardSwitchedOffDuringTheOutageStaysOffAndFreesItsPort() throws Exception {
        Server server = caret.connect("a", transport, Fixtures.settings(sshd), QUICK);
        Forward local = server.add("db", caret.parse("local", "0:" + echo.endpoint()), true);
        Endpoint address = local.status().address();
        sshd.kill();
        Await.until("waiting", () -> local.status().state() == ForwardState.WAITING);
        server.switchOff("db");
        assertEquals(ForwardState.OFF, local.status().state());
        try (ServerSocket free = new ServerSocket(address.port(), 50, InetAddress.getByName(address.host()))) {
            assertEquals(address.port(), free.getLocalPort());
        }
        sshd = sshd.restart();
        Await.until("reconnected", () -> server.state() == ConnectionState.UP);
        assertEquals(ForwardState.OFF, local.status().state());
        server.switchOn("db");
        assertTrue(Traffic.roundTrips(local.status().address()));
    }

    private static long drain(InputStream in) {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (IOException ended) {
            // reset or closed: ended either way
        }
        return total;
    }

    private static void assertHeld(Endpoint address) {
        assertThrows(BindException.class, () -> {
            try (ServerSocket taken = new ServerSocket(address.port(), 50, InetAddress.getByName(address.host()))) {
                taken.getLocalPort();
            }
        }, "Caret keeps " + address + " through the outage");
    }

    private boolean socksRoundTrips(Endpoint proxy) {
        try (Socket socket = SocksClient.socks5(proxy, echo.endpoint())) {
            socket.setSoTimeout(2_000);
            return Traffic.echo(socket, 5, 1024).equals(1024 + ":" + Traffic.expected(5, 1024));
        } catch (Exception | AssertionError notYet) {
            return false;
        }
    }
}
