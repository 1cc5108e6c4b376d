package caret.launcher;

import caret.spi.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A destination that half-closes first: per connection it sends {@code size} seeded bytes, shuts
 * down its output, then reads everything the client sends until EOF and records what arrived
 * ({@code count:sha256}), so a test sees both directions of a server-first half-close.
 */
final class SendFirstServer implements AutoCloseable {

    private final ServerSocket server;
    private final long seed;
    private final long size;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    SendFirstServer(long seed, long size) {
        this.seed = seed;
        this.size = size;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().start(this::accept);
    }

    Endpoint endpoint() {
        return new Endpoint("127.0.0.1", server.getLocalPort());
    }

    /** What the next connection received from its client, once the client half-closed. */
    String nextReceived() throws InterruptedException {
        String value = received.poll(60, TimeUnit.SECONDS);
        if (value == null) {
            throw new AssertionError("the destination received no EOF from the client within 60 s");
        }
        return value;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Traffic.send(socket, seed, size);
            received.add(Traffic.receive(socket));
        } catch (IOException e) {
            received.add("failed: " + e);
        }
    }
}
