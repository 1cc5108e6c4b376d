package caret.core.pump;

import caret.spi.SshChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries bytes between one socket and one SSH channel, one virtual thread per direction. Owns
 * both from {@link #start} on and closes both when done.
 *
 * <p>Half-close: end of stream on one side becomes EOF on the other ({@code sendEof} toward the
 * server, {@code shutdownOutput} toward the application); the pump closes once both directions
 * have ended, or at once on an error in either. Memory is bounded: one buffer per direction, and no
 * read before the previous write has finished; the channel's window bounds the rest. Each buffer
 * starts at {@value #MIN_BUFFER} bytes, doubles while reads fill it, up to {@value #MAX_BUFFER}, and
 * goes back to the small size when the traffic is light again: a bulk stream moves in big reads, an
 * idle connection costs 2 KiB.
 */
public final class Pump {

    private static final Logger log = LoggerFactory.getLogger(Pump.class);

    /** The largest buffer: the SSH packet size most servers use, so one read fills one packet. */
    static final int MAX_BUFFER = 32 * 1024;

    /** The buffer of a quiet connection: thousands of idle connections must not hold 64 KiB each. */
    static final int MIN_BUFFER = 1024;

    private final String name;
    private final Socket socket;
    private final SshChannel channel;
    private final byte[] pending;
    private final Traffic traffic;
    private final Consumer<Pump> onClosed;
    private final AtomicInteger directionsRunning = new AtomicInteger(2);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param name the forward's name, for log lines
     * @param pending bytes already read from the socket, sent before anything else
     * @param onClosed told once, after both socket and channel are closed
     */
    public Pump(String name, Socket socket, SshChannel channel, byte[] pending, Traffic traffic, Consumer<Pump> onClosed) {
        this.name = name;
        this.socket = socket;
        this.channel = channel;
        this.pending = pending.clone();
        this.traffic = traffic;
        this.onClosed = onClosed;
    }

    /** Starts both directions and returns at once. */
    public void start() {
        traffic.opened();
        Thread.ofVirtual().name("caret-pump-up").start(this::toServer);
        Thread.ofVirtual().name("caret-pump-down").start(this::fromServer);
    }

    /** Ends the connection at once, in both directions. Idempotent. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("[{}] closing socket: {}", name, e.toString());
            }
            channel.close();
            traffic.closed();
            onClosed.accept(this);
        }
    }

    private void toServer() {
        try {
            if (pending.length > 0) {
                channel.write(pending, 0, pending.length);
                traffic.sent(pending.length);
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[MIN_BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    channel.write(buffer, 0, n);
                    traffic.sent(n);
                }
                buffer = resized(buffer, n);
            }
            channel.sendEof();
            directionEnded();
        } catch (IOException e) {
            abort("to server", e);
        }
    }

    private void fromServer() {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[MIN_BUFFER];
            int n;
            while ((n = channel.read(buffer, 0, buffer.length)) >= 0) {
                out.write(buffer, 0, n);
                traffic.received(n);
                buffer = resized(buffer, n);
            }
            socket.shutdownOutput();
            directionEnded();
        } catch (IOException e) {
            abort("from server", e);
        }
    }

    /** The buffer for the next read: twice as big after a read that filled it, small again after a light one. */
    static byte[] resized(byte[] buffer, int lastRead) {
        if (lastRead == buffer.length && buffer.length < MAX_BUFFER) {
            return new byte[Math.min(MAX_BUFFER, buffer.length * 2)];
        }
        if (lastRead < MIN_BUFFER && buffer.length > MIN_BUFFER) {
            return new byte[MIN_BUFFER];
        }
        return buffer;
    }

    private void directionEnded() {
        if (directionsRunning.decrementAndGet() == 0) {
            close();
        }
    }

    private void abort(String direction, IOException e) {
        if (!closed.get()) {
            log.debug("[{}] connection with {} broke {}: {}", name, socket.getRemoteSocketAddress(), direction, e.toString());
        }
        close();
    }
}
