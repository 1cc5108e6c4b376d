package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.ForwardState;
import caret.core.Server;
import caret.spi.Endpoint;
import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every forward type must do, through a real OpenSSH sshd on 127.0.0.1: carry every byte both
 * ways, half-close, many connections at once, release everything on stop, start again on the same
 * port. A forward type gets the whole suite by extending it and saying how to start one and how an
 * application connects through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ForwardContract {

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
    abstract void assertReleased(Endpoint address) throws IOException;

    @BeforeAll
    void startServerAndForward(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sshd = OpenSshServer.start(dir);
        echo = EchoServer.start();
        web = WebPage.start();
        caret = Caret.load();
        caret.addListener(events::add);
        server = caret.connect("sshd", Fixtures.settings(sshd));
        forward = start(0, echo.endpoint());
    }

    @AfterAll
    void stopAll() {
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
