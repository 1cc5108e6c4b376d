package caret.testkit;

import caret.spi.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP echo server on 127.0.0.1 with a free port. Each connection gets a virtual thread that
 * sends every byte back; when the client shuts down its output, the server finishes writing, shuts
 * down its own output and closes: half-close aware, as a forward must be.
 */
public final class EchoServer implements AutoCloseable {

    private static final int BUFFER = 64 * 1024;

    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private EchoServer(ServerSocket server) {
        this.server = server;
    }

    /** Binds 127.0.0.1:0 and starts accepting. */
    public static EchoServer start() {
        try {
            ServerSocket server = new ServerSocket();
            // A deep accept queue: with the default of 50, a burst of connections overflows it and the
            // kernel resets some of them, which tests would blame on the forward.
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            EchoServer echo = new EchoServer(server);
            Thread.ofVirtual().name("echo-accept-" + server.getLocalPort()).start(echo::acceptLoop);
            return echo;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind an echo server on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port());
    }

    /** Stops accepting and closes every open connection. Idempotent. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Socket socket : connections) {
                closeQuietly(socket);
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.add(socket);
            Thread.ofVirtual().name("echo-" + socket.getPort()).start(() -> echo(socket));
        }
    }

    private void echo(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            out.flush();
            socket.shutdownOutput();
        } catch (IOException e) {
            // The client reset or we were closed: this connection ends, the server goes on.
        } finally {
            connections.remove(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing an already broken socket: nothing left to release.
        }
    }
}
