package caret.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.UncheckedIOException;

/**
 * A destination on 127.0.0.1 for bulk transfers, one per connection, chosen by the first byte:
 * {@code 'U'} reads to end of stream and answers the count (8 bytes); {@code 'D'} reads a count
 * (8 bytes), writes that many bytes and shuts down its output. For {@link ForwardSpeedTest}.
 */
final class BulkServer implements AutoCloseable {

    static final int CHUNK = 128 * 1024;

    private final ServerSocket server;

    BulkServer() {
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("bulk-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Sends {@code total} bytes to the server through {@code socket}; returns the count it confirmed. */
    static long upload(Socket socket, long total) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[CHUNK];
        out.write('U');
        for (long left = total; left > 0; left -= CHUNK) {
            out.write(chunk, 0, (int) Math.min(CHUNK, left));
        }
        socket.shutdownOutput();
        return new DataInputStream(socket.getInputStream()).readLong();
    }

    /** Asks the server for {@code total} bytes through {@code socket}; returns the count read to end of stream. */
    static long download(Socket socket, long total) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.write('D');
        out.writeLong(total);
        out.flush();
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[CHUNK];
        long count = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            count += n;
        }
        return count;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().name("bulk-" + socket.getPort()).start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        byte[] buffer = new byte[CHUNK];
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int command = in.read();
            if (command == 'U') {
                long count = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    count += n;
                }
                new DataOutputStream(socket.getOutputStream()).writeLong(count);
            } else if (command == 'D') {
                long total = in.readLong();
                OutputStream out = socket.getOutputStream();
                for (long left = total; left > 0; left -= CHUNK) {
                    out.write(buffer, 0, (int) Math.min(CHUNK, left));
                }
            }
            socket.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The measuring side sees the short count and fails; the server goes on.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
