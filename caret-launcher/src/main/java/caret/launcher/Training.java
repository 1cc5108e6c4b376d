package caret.launcher;

import caret.core.Caret;
import caret.core.Forward;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.InvalidSpecException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * The traffic of {@code caret demo --check --train}, the run from which {@code ./caret} records the
 * JDK's AOT cache: besides the classes, the cache keeps the run's method profiles, so the JIT
 * compiles a new run's hot paths sooner. A run that only fetched a page left the bulk paths cold: a
 * first download moved about 50 MB/s, interpreted, for its first seconds. So this sends bulk each
 * way, and many short connections, through a local and a dynamic forward to an echo server on
 * 127.0.0.1. A few seconds, once per build.
 */
final class Training {

    private static final int CHUNK = 32 * 1024;
    private static final long BULK = 32L * 1024 * 1024;
    /** Enough for the connection path's profiles to reach the JIT's top tier (tens of thousands of calls). */
    private static final int SHORT_CONNECTIONS = 2000;
    private static final int EXCHANGES = 2000;

    private Training() {
    }

    static void run(Caret caret, ForwardingClient client, Endpoint socks)
            throws IOException, ForwardException, InvalidSpecException {
        try (ServerSocket echo = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().name("caret-train-echo").start(() -> serve(echo));
            List<Forward> started = client.start(List.of(caret.parse("local", "0:127.0.0.1:" + echo.getLocalPort())), true);
            InetSocketAddress local = new InetSocketAddress("127.0.0.1", started.get(0).status().address().port());
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", echo.getLocalPort());
            Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks.port()));
            for (int i = 0; i < SHORT_CONNECTIONS; i++) {
                bulk(Proxy.NO_PROXY, local, 1);
            }
            exchanges(local);
            bulk(Proxy.NO_PROXY, local, BULK);
            bulk(proxy, target, BULK / 2);
        }
    }

    /** Sends {@code size} bytes and reads their echo at the same time. */
    private static void bulk(Proxy proxy, InetSocketAddress to, long size) throws IOException {
        try (Socket socket = new Socket(proxy)) {
            socket.connect(to);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    byte[] chunk = new byte[CHUNK];
                    for (long left = size; left > 0; left -= CHUNK) {
                        out.write(chunk, 0, (int) Math.min(CHUNK, left));
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[CHUNK];
            long received = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
            writer.join();
            if (received != size) {
                throw new IOException("training: " + received + " of " + size + " bytes came back");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("training interrupted", e);
        }
    }

    /** Small messages back and forth on one connection, each waiting for its echo: the request/response path. */
    private static void exchanges(InetSocketAddress to) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(to);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] message = new byte[100];
            for (int i = 0; i < EXCHANGES; i++) {
                out.write(message);
                if (in.readNBytes(message, 0, message.length) != message.length) {
                    throw new IOException("training: an exchange's echo ended early");
                }
            }
        }
    }

    private static void serve(ServerSocket server) {
        try {
            while (true) {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                        socket.shutdownOutput();
                    } catch (IOException ignored) {
                        // the training's client went away
                    }
                });
            }
        } catch (IOException closed) {
            // training over
        }
    }
}
