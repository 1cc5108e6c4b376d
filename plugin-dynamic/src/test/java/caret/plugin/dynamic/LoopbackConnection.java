package caret.plugin.dynamic;

import caret.spi.ChannelHandler;
import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * A stand-in for an SSH connection whose server is this machine: a channel is a TCP connection to
 * the target, and a refused connect becomes {@link ChannelOpenException.Reason#REFUSED}, as OpenSSH
 * reports it. A test can make every open fail instead, or hold it until it lets go.
 */
final class LoopbackConnection implements SshConnection {

    /** One call to {@link #openChannel}. */
    record Open(Endpoint target, Endpoint originator) {
    }

    final BlockingQueue<Open> opens = new LinkedBlockingQueue<>();
    private volatile IOException failure;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** Every open from now on throws {@code failure}. */
    void failWith(IOException failure) {
        this.failure = failure;
    }

    /** Opens from now on wait until {@code gate} opens. */
    void holdOpensUntil(CountDownLatch gate) {
        this.gate = gate;
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        opens.add(new Open(target, originator));
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a channel to " + target, e);
        }
        if (failure != null) {
            throw failure;
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(target.host(), target.port()), 10_000);
            return new TcpChannel(socket);
        } catch (ConnectException e) {
            socket.close();
            throw new ChannelOpenException(target, ChannelOpenException.Reason.REFUSED, "Connection refused");
        }
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) {
        throw new UnsupportedOperationException("dynamic forwards never listen on the server");
    }

    @Override
    public void onDrop(Consumer<IOException> listener) {
        // This connection never drops.
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public Endpoint server() {
        return new Endpoint("127.0.0.1", 22);
    }

    @Override
    public void close() {
        // Nothing to release: every channel is its own socket, closed by the pump.
    }
}
