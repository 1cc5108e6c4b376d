package caret.plugin.dynamic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A destination on 127.0.0.1 that sends back every byte, then half-closes after the client's EOF. */
final class EchoServer implements AutoCloseable {

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    EchoServer() throws IOException {
        listener = new ServerSocket(0, 50, SocketPair.LOOPBACK);
        threads.submit(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    private Void acceptLoop() throws IOException {
        while (!listener.isClosed()) {
            Socket socket = listener.accept();
            threads.submit(() -> echo(socket));
        }
        return null;
    }

    private static Void echo(Socket socket) throws IOException {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            in.transferTo(out);
            socket.shutdownOutput();
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}
