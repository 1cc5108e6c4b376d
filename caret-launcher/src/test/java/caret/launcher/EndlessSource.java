package caret.launcher;

import caret.spi.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** A destination that writes as fast as it is let, up to a limit, and counts what it got written. */
final class EndlessSource implements AutoCloseable {

    private final ServerSocket server;
    private final long limit;
    private final AtomicLong written = new AtomicLong();

    EndlessSource(long limit) {
        this.limit = limit;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().start(this::serveOne);
    }

    Endpoint endpoint() {
        return new Endpoint("127.0.0.1", server.getLocalPort());
    }

    /** Bytes the source has written into its connection so far. */
    long written() {
        return written.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void serveOne() {
        try (Socket socket = server.accept()) {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            while (written.get() < limit) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // the test closed the connection: done
        }
    }
}
