package caret.plugin.dynamic;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Two ends of one real TCP connection on 127.0.0.1: the client's and the one the proxy accepted. */
record SocketPair(Socket client, Socket server) implements AutoCloseable {

    static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    static SocketPair open() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            Socket client = new Socket(LOOPBACK, listener.getLocalPort());
            client.setTcpNoDelay(true);
            client.setSoTimeout(10_000);
            return new SocketPair(client, listener.accept());
        }
    }

    /** Sends bytes from the client. */
    void send(byte[] bytes) throws IOException {
        client.getOutputStream().write(bytes);
        client.getOutputStream().flush();
    }

    /** Reads exactly {@code count} bytes at the client; fails on EOF before that. */
    byte[] receive(int count) throws IOException {
        byte[] bytes = client.getInputStream().readNBytes(count);
        if (bytes.length != count) {
            throw new IOException("expected " + count + " bytes, got " + bytes.length + " before EOF");
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
