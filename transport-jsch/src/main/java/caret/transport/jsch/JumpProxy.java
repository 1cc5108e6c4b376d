package caret.transport.jsch;

import caret.spi.Hop;
import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import caret.spi.TransportException;

import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.SocketFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * Carries a JSch session through a jump host: JSch's {@link Proxy}, whose byte stream is a
 * {@code direct-tcpip} channel of the jump host's connection to the target, opened when JSch
 * connects. No local socket and no listening port: JSch reads and writes the channel itself. The
 * target's name goes to the jump host as written, to be resolved there.
 *
 * <p>JSch sets its read timeouts on the proxy's {@link #getSocket() socket} (the connect timeout
 * during the handshake, the keepalive interval after it); a stand-in socket keeps that value and
 * the input stream honours it, so both work as over TCP.
 */
final class JumpProxy implements Proxy {

    /** The originator the channel names: there is no local socket behind it. */
    private static final Endpoint ORIGINATOR = new Endpoint("127.0.0.1", 0);

    private final JschConnection jump;
    private final Endpoint target;
    private final int timeoutMillis;
    private final ReadTimeout socket = new ReadTimeout();
    private volatile JschChannel channel;
    private volatile TransportException failure;

    /**
     * @param jump the jump host's connection
     * @param target the server to reach, as the jump host should connect to it
     * @param timeoutMillis how long the jump host may take to open the channel
     */
    JumpProxy(JschConnection jump, Endpoint target, int timeoutMillis) {
        this.jump = jump;
        this.target = target;
        this.timeoutMillis = timeoutMillis;
    }

    /** Why the channel could not be opened, if it could not: said as the jump host's failure. */
    Optional<TransportException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void connect(SocketFactory unused, String host, int port, int timeout) throws IOException {
        try {
            channel = jump.open(target, ORIGINATOR, timeoutMillis);
        } catch (ChannelOpenException e) {
            failure = Hop.channelRefused(jump.server(), target, e);
            throw e;
        } catch (InterruptedIOException e) {
            if (e instanceof SocketTimeoutException) {
                failure = Hop.channelFailed(jump.server(), target, Connector.describe(e), e);
            }
            throw e;
        } catch (IOException e) {
            failure = Hop.channelFailed(jump.server(), target, Connector.describe(e), e);
            throw e;
        }
    }

    @Override
    public InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(b, off, len, socket.getSoTimeout());
            }
        };
    }

    @Override
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                channel.write(b, off, len);
            }
        };
    }

    @Override
    public Socket getSocket() {
        return socket;
    }

    /** JSch's disconnect: closes the channel; the jump host's connection is the target's to close. */
    @Override
    public void close() {
        JschChannel c = channel;
        if (c != null) {
            c.close();
        }
    }

    /**
     * The socket JSch is given: never connected, it only keeps the read timeout JSch sets, for the
     * input stream above.
     */
    private static final class ReadTimeout extends Socket {
        private volatile int soTimeout;

        @Override
        public void setSoTimeout(int timeout) {
            soTimeout = timeout;
        }

        @Override
        public int getSoTimeout() {
            return soTimeout;
        }
    }
}
