package caret.plugin.dynamic;

import caret.spi.SshChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;

/** A stand-in for a direct-tcpip channel: a TCP connection this machine made to the target. */
final class TcpChannel implements SshChannel {

    private final Socket socket;

    TcpChannel(Socket socket) {
        this.socket = socket;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        return socket.getInputStream().read(buffer, offset, len);
    }

    @Override
    public void write(byte[] buffer, int offset, int len) throws IOException {
        socket.getOutputStream().write(buffer, offset, len);
    }

    @Override
    public void sendEof() throws IOException {
        if (!socket.isOutputShutdown()) {
            socket.shutdownOutput();
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
