package caret.plugin.dynamic;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * A socket without a network, for feeding a handshake fixed bytes: it reads them and then the end
 * of the stream, keeps what is written to it, and says it listens on 127.0.0.1:1080. It never
 * connects, binds or resolves anything.
 */
final class StreamSocket extends Socket {

    private final InputStream in;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    StreamSocket(byte[] input) {
        this.in = new ByteArrayInputStream(input);
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    /** Reads never block: the bytes are all there, then the end of the stream. */
    @Override
    public void setSoTimeout(int timeout) {
    }

    @Override
    public InetAddress getLocalAddress() {
        return SocketPair.LOOPBACK;
    }

    @Override
    public int getLocalPort() {
        return 1080;
    }

    /** Everything written to the socket so far. */
    byte[] written() {
        return out.toByteArray();
    }
}
