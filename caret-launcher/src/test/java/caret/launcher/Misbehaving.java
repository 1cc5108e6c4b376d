package caret.launcher;

import caret.spi.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A destination on 127.0.0.1 that misbehaves the same way with every connection. */
final class Misbehaving implements AutoCloseable {

    private enum Kind { RESET, CLOSE, SILENT }

    private final ServerSocket server;
    private final Kind kind;
    private final long after;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private Misbehaving(Kind kind, long after) throws IOException {
        this.kind = kind;
        this.after = after;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    /** Reads {@code after} bytes, then resets the connection (SO_LINGER 0). */
    static Misbehaving resetAfter(long after) throws IOException {
        return new Misbehaving(Kind.RESET, after);
    }

    /** Reads {@code after} bytes, then closes the connection with a FIN, unread data or not. */
    static Misbehaving closeAfter(long after) throws IOException {
        return new Misbehaving(Kind.CLOSE, after);
    }

    /** Accepts, never reads, never writes, never closes. */
    static Misbehaving silent() throws IOException {
        return new Misbehaving(Kind.SILENT, 0);
    }

    Endpoint endpoint() {
        return new Endpoint("127.0.0.1", server.getLocalPort());
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                open.add(socket);
                if (kind != Kind.SILENT) {
                    Thread.ofVirtual().start(() -> misbehave(socket));
                }
            }
        } catch (IOException closed) {
            // stopped
        }
    }

    private void misbehave(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            for (long read = 0; read < after; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, after - read));
                if (n < 0) {
                    break;
                }
                read += n;
            }
            if (kind == Kind.RESET) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // the other side went first
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
