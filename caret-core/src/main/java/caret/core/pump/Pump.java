package caret.core.pump;

import caret.spi.SshChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
 *
 * <p>A break on the destination's side (a reset, the server ending the channel without EOF) is
 * told to {@code onBroken}, in words, once: that is news for the user, where a break on the
 * application's side is the application's own doing and only logged at debug level.
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
    private final Side destination;
    private final BiConsumer<String, IOException> onBroken;
    private final AtomicBoolean brokenTold = new AtomicBoolean();
    /** This connection's bytes each way, for the message of a break; each written by one direction's thread. */
    private volatile long up;
    private volatile long down;

    /** Which end of the pump leads to the destination. */
    public enum Side {
        /** The channel: the destination is beyond the server (local and dynamic forwards). */
        CHANNEL,
        /** The socket: the server's connection comes in, the destination is on this side (reverse forwards). */
        SOCKET
    }
    private final AtomicInteger directionsRunning = new AtomicInteger(2);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param name the forward's name, for log lines
     * @param pending bytes already read from the socket, sent before anything else
     * @param onClosed told once, after both socket and channel are closed
     * @param destination the end that leads to the destination
     * @param onBroken told once when that end broke, with what happened, in words
     */
    public Pump(String name, Socket socket, SshChannel channel, byte[] pending, Traffic traffic, Consumer<Pump> onClosed,
            Side destination, BiConsumer<String, IOException> onBroken) {
        this.name = name;
        this.socket = socket;
        this.channel = channel;
        this.pending = pending.clone();
        this.traffic = traffic;
        this.onClosed = onClosed;
        this.destination = destination;
        this.onBroken = onBroken;
    }

    /** Starts both directions and returns at once. */
    public void start() {
        Thread.ofVirtual().name("caret-pump-up").start(startFromServer());
    }

    /**
     * Starts the direction from the server on a thread of its own and returns the direction to the
     * server, for a thread that is free anyway (the connection's own, once its handler is done) to
     * run: one thread fewer to start and wake for each connection.
     */
    public Runnable startFromServer() {
        traffic.opened();
        Thread.ofVirtual().name("caret-pump-down").start(this::fromServer);
        return this::toServer;
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
                writeChannel(pending, pending.length);
                traffic.sent(pending.length);
                up += pending.length;
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[MIN_BUFFER];
            int n;
            while ((n = readSocket(in, buffer)) >= 0) {
                if (n > 0) {
                    writeChannel(buffer, n);
                    traffic.sent(n);
                    up += n;
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
            while ((n = readChannel(buffer)) >= 0) {
                writeSocket(out, buffer, n);
                traffic.received(n);
                down += n;
                buffer = resized(buffer, n);
            }
            socket.shutdownOutput();
            directionEnded();
        } catch (IOException e) {
            abort("from server", e);
        }
    }

    private int readSocket(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw broke(Side.SOCKET, e);
        }
    }

    private void writeSocket(OutputStream out, byte[] buffer, int n) throws IOException {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            throw broke(Side.SOCKET, e);
        }
    }

    private int readChannel(byte[] buffer) throws IOException {
        try {
            return channel.read(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw broke(Side.CHANNEL, e);
        }
    }

    private void writeChannel(byte[] buffer, int n) throws IOException {
        try {
            channel.write(buffer, 0, n);
        } catch (IOException e) {
            throw broke(Side.CHANNEL, e);
        }
    }

    /** Tells {@code onBroken} when the destination's end broke, unless the pump was closed first; returns {@code e}. */
    private IOException broke(Side side, IOException e) {
        if (side == destination && !closed.get() && brokenTold.compareAndSet(false, true)) {
            String who = side == Side.SOCKET ? "to " + socket.getRemoteSocketAddress() : "from " + socket.getRemoteSocketAddress();
            onBroken.accept("connection " + who + " broke after " + up + " bytes to the server and " + down
                    + " from it: " + e.getMessage(), e);
        }
        return e;
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
