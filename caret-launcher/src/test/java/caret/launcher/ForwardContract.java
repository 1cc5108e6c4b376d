package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.ForwardState;
import caret.core.Server;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
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
 * What every forward type must do on every transport, through a real OpenSSH sshd on 127.0.0.1:
 * carry every byte both ways, half-close either way, many connections and bulk streams at once,
 * explain a refused destination, release everything on stop, start again on the same port, and
 * fail alone. A forward type gets the whole suite by extending it; a transport, by adding its id to
 * {@link Transports#all()}.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("caret.launcher.Transports#all")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ForwardContract {

    @Parameter
    String transport;

    Path dir;
    OpenSshServer sshd;
    EchoServer echo;
    WebPage web;
    Caret caret;
    Server server;
    Forward forward;
    final List<ForwardEvent> events = new CopyOnWriteArrayList<>();

    /** The forward type's id. */
    abstract String type();

    /** A spec for a forward of this type to {@code destination}, listening on {@code port}. */
    abstract String spec(int port, Endpoint destination);

    /** A connection to {@code destination}, as an application makes it through {@code forward}. */
    abstract Socket open(Forward forward, Endpoint destination) throws IOException;

    /** curl's arguments to fetch {@code web}'s page through {@code forward}. */
    abstract List<String> curl(Forward forward, int webPort);

    /** Asserts nothing listens any more on the address a stopped forward had. */
    void assertReleased(Endpoint address) throws IOException {
        try (ServerSocket again = new ServerSocket(address.port(), 50, InetAddress.getByName(address.host()))) {
            assertEquals(address.port(), again.getLocalPort());
        }
    }

    /** Lines for the sshd_config of this type's server, before the fixture's own. */
    String[] sshdConfig() {
        return new String[0];
    }

    @BeforeAll
    void startPeers(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sshd = OpenSshServer.start(dir, sshdConfig());
        echo = EchoServer.start();
        web = WebPage.start();
        caret = Caret.load();
        caret.addListener(events::add);
    }

    @BeforeParameterizedClassInvocation
    void connect() throws Exception {
        server = caret.connect(transport, Fixtures.settings(sshd));
        forward = start(0, echo.endpoint());
    }

    @AfterParameterizedClassInvocation
    void disconnect() {
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    void stopPeers() {
        if (caret != null) {
            caret.close();
        }
        if (web != null) {
            web.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    Forward start(int port, Endpoint destination) throws Exception {
        return server.start(caret.parse(type(), spec(port, destination)));
    }

    Socket openEcho(Forward through) throws IOException {
        return open(through, echo.endpoint());
    }

    @Test
    void servesARealHttpPageToCurl() throws Exception {
        Forward toWeb = start(0, new Endpoint("127.0.0.1", web.port()));
        try {
            String page = Curl.fetch(curl(toWeb, web.port()).toArray(String[]::new));
            assertEquals(WebPage.BODY, page);
        } finally {
            toWeb.stop();
        }
    }

    @Test
    void carriesOneByteThereAndBack() throws Exception {
        try (Socket socket = openEcho(forward)) {
            socket.getOutputStream().write('x');
            assertEquals('x', socket.getInputStream().read());
        }
    }

    @Test
    void carries64MiBEachWayIntact() throws Exception {
        long size = 64L << 20;
        try (Socket socket = openEcho(forward)) {
            assertEquals(size + ":" + Traffic.expected(7, size), Traffic.echo(socket, 7, size));
        }
    }

    @Test
    void carriesEmptyAndOddSizedStreams() throws Exception {
        for (long size : new long[] {0, 1, 1023, 32 * 1024 + 1, 1_000_003}) {
            try (Socket socket = openEcho(forward)) {
                assertEquals(size + ":" + Traffic.expected(size, size), Traffic.echo(socket, size, size), "size " + size);
            }
        }
    }

    @Test
    void deliversEveryByteAfterTheClientHalfCloses() throws Exception {
        long size = 2L << 20;
        try (Socket socket = openEcho(forward)) {
            Traffic.send(socket, 11, size); // everything first, then shutdownOutput ...
            assertEquals(size + ":" + Traffic.expected(11, size), Traffic.receive(socket)); // ... then the whole echo
        }
    }

    @Test
    void carries200ConcurrentConnections() throws Exception {
        int count = 200;
        long size = 16 * 1024;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(openEcho(forward));
            }
            List<Future<String>> results = new ArrayList<>();
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < count; i++) {
                    Socket socket = sockets.get(i);
                    long seed = 1000 + i;
                    results.add(executor.submit(() -> Traffic.echo(socket, seed, size)));
                }
                for (int i = 0; i < count; i++) {
                    String got = results.get(i).get();
                    if (!got.equals(size + ":" + Traffic.expected(1000 + i, size))) {
                        throw new AssertionError("connection " + i + " carried " + got + "; status " + forward.status()
                                + "; sshd log: " + sshd.log());
                    }
                }
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        Await.until("all 200 connections released", () -> forward.status().openConnections() == 0);
    }

    @Test
    void countsConnectionsAndBytesInItsStatus() throws Exception {
        Forward counted = start(0, echo.endpoint());
        try {
            try (Socket socket = openEcho(counted)) {
                socket.getOutputStream().write(new byte[1000]);
                socket.getInputStream().readNBytes(1000);
                Await.until("one open connection", () -> counted.status().openConnections() == 1);
            }
            Await.until("bytes counted and connection closed", () -> counted.status().openConnections() == 0
                    && counted.status().bytesToServer() >= 1000 && counted.status().bytesFromServer() >= 1000);
            assertEquals(ForwardState.READY, counted.status().state());
        } finally {
            counted.stop();
        }
    }

    @Test
    void stoppingClosesItsConnectionsAndFreesItsPort() throws Exception {
        Forward stopped = start(0, echo.endpoint());
        Endpoint address = stopped.status().address();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = openEcho(stopped);
                socket.getOutputStream().write('a');
                assertEquals('a', socket.getInputStream().read());
                sockets.add(socket);
            }
            Await.until("3 open connections", () -> stopped.status().openConnections() == 3);
            stopped.stop();
            assertEquals(ForwardState.STOPPED, stopped.status().state());
            for (Socket socket : sockets) {
                assertClosed(socket);
            }
            assertEquals(0, stopped.status().openConnections());
            assertReleased(address);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        carriesOneByteThereAndBack(); // the other forward on this connection is untouched
    }

    @Test
    void startsAgainOnTheSamePortAfterStop() throws Exception {
        Forward first = start(0, echo.endpoint());
        int port = first.status().address().port();
        first.stop();
        Forward again = start(port, echo.endpoint());
        try {
            assertEquals(port, again.status().address().port());
            try (Socket socket = openEcho(again)) {
                socket.getOutputStream().write('z');
                assertEquals('z', socket.getInputStream().read());
            }
        } finally {
            again.stop();
        }
    }

    @Test
    void deliversEveryByteWhenTheDestinationHalfClosesFirst() throws Exception {
        long size = 2L << 20;
        try (SendFirstServer first = new SendFirstServer(21, size)) {
            Forward toFirst = start(0, first.endpoint());
            try (Socket client = open(toFirst, first.endpoint())) {
                // the destination sends everything and shuts down its output first ...
                assertEquals(size + ":" + Traffic.expected(21, size), Traffic.receive(client));
                // ... and still gets every byte the client sends after that
                Traffic.send(client, 22, size);
                assertEquals(size + ":" + Traffic.expected(22, size), first.nextReceived());
            } finally {
                toFirst.stop();
            }
        }
    }

    @Test
    void holdsBackASourceWhoseReaderDoesNotRead() throws Exception {
        long limit = 512L << 20;
        try (EndlessSource source = new EndlessSource(limit)) {
            Forward toSource = start(0, source.endpoint());
            try (Socket idle = open(toSource, source.endpoint())) {
                // The reader never reads: SSH flow control must stop the source once the buffers on the way are
                // full (socket buffers, one channel window), instead of Caret taking in all it sends.
                awaitHeldBack(source);
                assertTrue(source.written() < 64L << 20, "the source wrote " + (source.written() >> 20)
                        + " MiB into a connection nobody reads");
            } finally {
                toSource.stop();
            }
        }
    }

    @Test
    void aReaderThatStopsReadingDoesNotStallTheOtherConnections() throws Exception {
        // JSch replenishes a channel's window before the application reads, so its one session thread must block
        // when a reader stops, and every channel of the connection waits: a known limit (README, transport-jsch).
        assumeFalse(transport.equals("jsch"), "JSch stalls a connection's channels behind one that is not read");
        try (EndlessSource source = new EndlessSource(512L << 20)) {
            Forward toSource = start(0, source.endpoint());
            try (Socket idle = open(toSource, source.endpoint())) {
                awaitHeldBack(source); // every buffer between the source and the idle reader is full
                try (Socket other = openEcho(forward)) {
                    assertEquals((4 << 20) + ":" + Traffic.expected(9, 4 << 20), Traffic.echo(other, 9, 4 << 20));
                }
            } finally {
                toSource.stop();
            }
        }
    }

    @Test
    void carries64ParallelBulkStreams() throws Exception {
        int streams = 64;
        long size = 4L << 20;
        List<Future<String>> results = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                long seed = 5000 + i;
                results.add(executor.submit(() -> {
                    try (Socket socket = openEcho(forward)) {
                        return Traffic.echo(socket, seed, size);
                    }
                }));
            }
            for (int i = 0; i < streams; i++) {
                assertEquals(size + ":" + Traffic.expected(5000 + i, size), results.get(i).get(), "stream " + i);
            }
        }
        assertTrue(server.isOpen(), "the SSH connection survived");
    }

    @Test
    void aRefusedDestinationClosesThatConnectionOnlyAndSaysWhy() throws Exception {
        int closed = Fixtures.closedPort();
        Endpoint nothing = new Endpoint("127.0.0.1", closed);
        Forward toNothing = start(0, nothing);
        try {
            try (Socket socket = open(toNothing, nothing)) {
                assertClosed(socket);
            } catch (SocksClient.Refused refused) {
                assertEquals(0x05, refused.code); // SOCKS says "connection refused" before closing
            }
            Await.until("the failure recorded", () -> String.valueOf(toNothing.status().lastError()).contains(":" + closed));
            assertTrue(toNothing.status().lastError().toLowerCase(java.util.Locale.ROOT).contains("refused"),
                    toNothing.status().lastError());
            assertEquals(ForwardState.READY, toNothing.status().state());
        } finally {
            toNothing.stop();
        }
        carriesOneByteThereAndBack();
    }

    /**
     * Destinations that misbehave, beside a stream that does not: one resets its connection after
     * 1 MiB (the application's connection ends at once, and the forward says why), one closes its
     * connection mid-stream, one accepts and never answers (its connection just stays open, as it
     * would without the forward). The 16 MiB stream beside them loses nothing, the forward stays up.
     */
    @Test
    void misbehavingDestinationsEndOnlyTheirOwnConnections() throws Exception {
        long size = 16L << 20;
        try (Misbehaving resets = Misbehaving.resetAfter(1 << 20); Misbehaving closes = Misbehaving.closeAfter(1 << 20);
                Misbehaving silent = Misbehaving.silent();
                var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> healthy = executor.submit(() -> {
                try (Socket socket = openEcho(forward)) {
                    return Traffic.echo(socket, 31, size);
                }
            });
            Forward toReset = start(0, resets.endpoint());
            Forward toClose = start(0, closes.endpoint());
            Forward toSilent = start(0, silent.endpoint());
            try (Socket reset = open(toReset, resets.endpoint()); Socket closed = open(toClose, closes.endpoint());
                    Socket hanging = open(toSilent, silent.endpoint())) {
                List<Future<?>> writers = new ArrayList<>();
                for (Socket s : List.of(reset, closed)) {
                    writers.add(executor.submit(() -> {
                        Traffic.send(s, 41, 64L << 20); // more than the destination takes
                        return null;
                    }));
                    assertClosed(s); // ends, with EOF or a reset, within 10 s: no hang
                }
                // The writers keep writing until the forward has told: sshd ends the channel (EOF, then
                // CLOSE), and the forward knows it broke when its next write fails. A writer stopped at
                // the EOF closes the application's end first, which is no news, and the forward is silent.
                Await.until("the reset is the forward's last error", () ->
                        String.valueOf(toReset.status().lastError()).contains("broke after"));
                writers.forEach(writer -> writer.cancel(true));
                hanging.getOutputStream().write(new byte[4096]);
                Await.until("the silent destination's connection is open", () -> toSilent.status().openConnections() == 1);
                assertEquals(size + ":" + Traffic.expected(31, size), healthy.get(), "the stream beside them");
                assertEquals(ForwardState.READY, toReset.status().state());
                assertEquals(ForwardState.READY, toClose.status().state());
                Reliability.record(type() + " on " + transport + ": a destination that resets, one that closes"
                        + " mid-stream, one that never answers: only their own connections ended; the forward said: "
                        + toReset.status().lastError());
            } finally {
                toReset.stop();
                toClose.stop();
                toSilent.stop();
            }
        }
        assertTrue(server.isOpen(), "the SSH connection survived");
    }

    @Test
    void aForwardThatCannotStartLeavesTheOthersUntouched() throws Exception {
        int taken = forward.status().address().port(); // the same port again: in use here, or on the server
        assertThrows(ForwardException.class, () -> start(taken, echo.endpoint()));
        assertEquals(ForwardState.READY, forward.status().state());
        carriesOneByteThereAndBack();
        try (Socket socket = openEcho(forward)) {
            assertEquals((1 << 20) + ":" + Traffic.expected(3, 1 << 20), Traffic.echo(socket, 3, 1 << 20));
        }
    }

    /**
     * 10,000 connections, one after the other, each carrying one byte there and back: afterwards the
     * process holds no more file descriptors or threads (platform and virtual) than before, and its
     * live heap has not grown. A leak of one descriptor or one thread per connection shows as 10,000.
     */
    @Test
    void tenThousandConnectionsLeaveNothingBehind() throws Exception {
        cycle(500); // whatever is made once, on first use, is made now
        Await.until("the warm-up connections released", () -> forward.status().openConnections() == 0);
        Resources before = Resources.settled();
        cycle(10_000);
        Await.until("every connection released", () -> forward.status().openConnections() == 0);
        Resources[] after = {null};
        Await.until("descriptors and threads back to where they were", Duration.ofSeconds(30), () -> {
            after[0] = Resources.settled();
            return after[0].descriptors() <= before.descriptors() + 4 && after[0].threads() <= before.threads() + 4;
        });
        assertTrue(after[0].heapBytes() <= before.heapBytes() + (16L << 20),
                "live heap " + (before.heapBytes() >> 20) + " MiB before, " + (after[0].heapBytes() >> 20) + " MiB after");
        Reliability.record(type() + " on " + transport + ": 10,000 connections; before " + before + ", after " + after[0]);
    }

    private void cycle(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Socket socket = openEcho(forward)) {
                socket.getOutputStream().write(i & 0xff);
                assertEquals(i & 0xff, socket.getInputStream().read(), "connection " + i);
            }
        }
    }

    /**
     * 20 forwards switched on and off again and again while four streams flow through another
     * forward of the same connection: the streams lose no byte, and a forward switched off holds
     * its port no more.
     */
    @Test
    void switchingTwentyForwardsOnAndOffLeavesTheOthersIntact() throws Exception {
        long size = 16L << 20;
        List<Future<String>> streams = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                long seed = 700 + i;
                streams.add(executor.submit(() -> {
                    try (Socket socket = openEcho(forward)) {
                        return Traffic.echo(socket, seed, size);
                    }
                }));
            }
            int switched = 0;
            for (int round = 0; round < 5 || !allDone(streams); round++) {
                List<Forward> twenty = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    twenty.add(start(0, echo.endpoint()));
                }
                for (Forward f : twenty) {
                    try (Socket socket = openEcho(f)) {
                        socket.getOutputStream().write('o');
                        assertEquals('o', socket.getInputStream().read());
                    }
                }
                for (Forward f : twenty) {
                    Endpoint address = f.status().address();
                    f.stop();
                    assertReleased(address);
                    switched++;
                }
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(size + ":" + Traffic.expected(700 + i, size), streams.get(i).get(), "stream " + i);
            }
            Reliability.record(type() + " on " + transport + ": " + switched + " forwards switched on and off beside"
                    + " 4 streams of 16 MiB: 0 bytes lost, every port released");
        }
        assertTrue(server.isOpen(), "the SSH connection survived");
    }

    private static boolean allDone(List<Future<String>> futures) {
        return futures.stream().allMatch(Future::isDone);
    }

    /** Waits until the source writes no more: the buffers on its way are full and flow control holds it. */
    private static void awaitHeldBack(EndlessSource source) {
        long[] last = {-1};
        Await.until("the source is held back", Duration.ofSeconds(30), () -> {
            long now = source.written();
            boolean still = now == last[0] && now > 0;
            last[0] = now;
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            return still;
        });
    }

    static void assertClosed(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        try {
            int read;
            do {
                read = in.read();
            } while (read >= 0);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open 10 s after the forward stopped", e);
        } catch (SocketException expected) {
            // reset: closed as well
        }
    }
}
