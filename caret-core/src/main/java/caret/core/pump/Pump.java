package caret.core.pump;

import caret.spi.NonBlockingChannel;
import caret.spi.SshChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
 * idle connection costs 2 KiB. Reads of the socket take at most the channel's
 * {@linkplain SshChannel#packetDataSize() packet data size}, so that each goes out as one packet.
 *
 * <p>Without a thread per direction, when the socket has a {@link SocketChannel} (the engine's
 * listeners and dials make them) and the channel is a {@link NonBlockingChannel}: the socket is
 * made non-blocking and the {@link Reactor}'s one thread reads it as data arrives and hands the
 * bytes to {@link NonBlockingChannel#tryWrite}, flushed once the round's other ready sockets are read,
 * so that their requests go to the server together; the channel's data is written to the socket by the
 * transport's reading thread as it arrives ({@link NonBlockingChannel#deliverTo}). Each of those
 * is one thread woken by the kernel, where a thread per direction adds a second one woken by the
 * first. What cannot go on at once (the server's window is full, the application reads slower
 * than the server sends) goes on, in order, on a virtual thread that may wait: one started to read
 * what the channel kept, or one started for the bytes the channel did not take; meanwhile the
 * reactor stops reading that socket, so memory stays bounded as above. So does a stream to the
 * server (a read of as much as one read takes), so that its reads and another stream's encryption
 * run on two cores. A stream from the server stays on the transport's thread, which decrypts a
 * packet and writes it, as ssh's one thread does: a thread woken for every packet cost more than the
 * second core gave (see {@link FromServer#take}). The channel's end comes to the
 * transport's thread too ({@link NonBlockingChannel.Receiver#ended}): a short connection needs no
 * thread of its own once its handler is done.
 *
 * <p>A break on the destination's side (a reset, the server ending the channel without EOF) is
 * told to {@code onBroken}, in words, once: that is news for the user, where a break on the
 * application's side is the application's own doing and only logged at debug level.
 */
public final class Pump implements Reactor.Handler {

    private static final Logger log = LoggerFactory.getLogger(Pump.class);

    /** The largest buffer: the SSH packet size most servers use, whose packets carry this much or a little less. */
    static final int MAX_BUFFER = 32 * 1024;

    /** The buffer of a quiet connection: thousands of idle connections must not hold 64 KiB each. */
    static final int MIN_BUFFER = 1024;

    private final String name;
    private final Socket socket;
    private final SshChannel channel;
    private final byte[] pending;
    /**
     * The most bytes one read of the socket takes: what one packet of the channel carries, at most
     * {@value #MAX_BUFFER}; at least {@value #MIN_BUFFER}, so that a server with tiny packets gets a
     * few per read rather than a read per byte.
     */
    private final int upRead;
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

    /** The socket's channel when the pump runs without a thread per direction; else null. */
    private final SocketChannel nio;
    /** The reactor of a non-blocking pump, once started; else null. */
    private volatile Reactor reactor;
    /** The socket's key in the reactor's selector, and the interest asked of it; on the reactor thread only. */
    private SelectionKey key;
    private int interest;
    /** The thread that waits for the socket to take more, when it does; woken by the reactor or by close. */
    private volatile Thread awaitingRoom;
    /** Whether a thread reads the channel ({@link #fromServer}) in a non-blocking pump. */
    private volatile boolean readingChannel;

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
        this.upRead = Math.clamp(channel.packetDataSize(), MIN_BUFFER, MAX_BUFFER);
        this.traffic = traffic;
        this.onClosed = onClosed;
        this.destination = destination;
        this.onBroken = onBroken;
        this.nio = socket.getChannel() != null && channel instanceof NonBlockingChannel ? socket.getChannel() : null;
    }

    /**
     * Starts both directions and returns at once: without blocking, on the calling thread, which
     * may be the transport's (a channel that opened while nobody waited for it); else each on a
     * thread of its own.
     */
    public void start() {
        Runnable toServer = startFromServer();
        if (nio == null) {
            Thread.ofVirtual().name("caret-pump-up").start(toServer);
        } else {
            toServer.run(); // it does not wait for anything
        }
    }

    /**
     * Starts the direction from the server and returns the direction to the server, for a thread
     * that is free anyway (the connection's own, once its handler is done) to run: one thread fewer
     * to start and wake for each connection. With a thread per direction, the one from the server
     * starts here. Without blocking, the transport's thread carries that direction, and the reactor
     * the other: what is returned sends the pending bytes and what the application has sent
     * already (a request usually follows the connect at once), then hands the socket to the
     * reactor, so the first request goes out without waking it.
     */
    public Runnable startFromServer() {
        traffic.opened();
        if (nio == null) {
            Thread.ofVirtual().name("caret-pump-down").start(this::fromServer);
            return this::toServer;
        }
        try {
            reactor = Reactor.get();
            nio.configureBlocking(false);
        } catch (IOException e) {
            abort("setting up", e);
            return () -> { };
        }
        if (!((NonBlockingChannel) channel).deliverTo(new FromServer())) {
            startReading(); // the server was quicker: what it sent waits to be read
        }
        return this::toServerFirst;
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
            Reactor started = reactor;
            if (started != null) {
                LockSupport.unpark(awaitingRoom);
                started.execute(() -> { }); // the selector lets go of a closed socket's port when it next wakes
            }
            traffic.closed();
            onClosed.accept(this);
        }
    }

    // The non-blocking pump. To the server: the reactor reads, the channel takes what it can now,
    // and the rest goes on a virtual thread that may wait (writeBehind) while the reactor stops
    // reading this socket. From the server: take() writes on the transport's thread what the socket
    // takes now; the rest waits in the channel for the thread that reads it (fromServer).

    /**
     * The direction to the server until the reactor takes over, without waiting: the pending bytes
     * and one read of what the application sent already go to the channel, and what it does not
     * take now goes on in order on a thread that may wait (writeBehind), as the reactor's reads do.
     * Runs on the connection's thread, or on the transport's when the channel opened there.
     */
    private void toServerFirst() {
        byte[] buffer = Arrays.copyOf(pending, pending.length + MIN_BUFFER);
        int length;
        int taken;
        boolean ended;
        try {
            int n = readSocket(buffer, pending.length, MIN_BUFFER);
            ended = n < 0;
            length = pending.length + Math.max(n, 0);
            taken = length == 0 ? 0 : tryWriteChannel(buffer, length);
            if (taken > 0) {
                ((NonBlockingChannel) channel).flush(); // the request goes out now: nothing else is read here
                countUp(taken);
            }
            if (ended && taken == length) {
                channel.sendEof();
                directionEnded();
            }
        } catch (IOException e) {
            abort("to server", e);
            return;
        }
        boolean behind = taken < length;
        // Registered also when reading is over: the other direction may wait for room.
        int ops = ended || behind ? 0 : SelectionKey.OP_READ;
        reactor.execute(() -> register(ops));
        if (behind) { // it turns reading on once it has caught up, after this registration
            startWritingBehind(buffer, taken, length);
        }
    }

    /** Registers the socket with the reactor's selector, adding {@code ops} to the interest asked so far; on the reactor thread. */
    private void register(int ops) {
        try {
            interest |= ops;
            key = nio.register(reactor.selector(), interest, this);
        } catch (ClosedChannelException e) {
            close(); // closed meanwhile
        }
    }

    /** Adds or removes interest in {@code ops}; on the reactor thread. */
    private void interest(int ops, boolean on) {
        interest = on ? interest | ops : interest & ~ops;
        if (key != null) {
            try {
                key.interestOps(interest);
            } catch (CancelledKeyException e) {
                // closed meanwhile, on another thread: nothing to ask of it any more
            }
        }
    }

    @Override
    public void ready(SelectionKey ready) {
        int ops = ready.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            interest(SelectionKey.OP_WRITE, false);
            LockSupport.unpark(awaitingRoom);
        }
        if ((ops & SelectionKey.OP_READ) != 0 && (interest & SelectionKey.OP_READ) != 0) {
            readable();
        }
    }

    @Override
    public void failed(RuntimeException e) {
        log.warn("[{}] connection with {} failed: {}", name, socket.getRemoteSocketAddress(), e.toString(), e);
        close();
    }

    /** Reads what the application sent and hands it to the channel; on the reactor thread. */
    private void readable() {
        byte[] buffer = reactor.readBuffer();
        int most = Math.min(buffer.length, upRead);
        int n;
        int taken;
        try {
            n = readSocket(buffer, 0, most);
            if (n < 0) {
                interest(SelectionKey.OP_READ, false);
                channel.sendEof(); // holds no lock a writer waits in: the only writer is this direction
                directionEnded();
                return;
            }
            taken = n == 0 ? 0 : tryWriteChannel(buffer, n);
        } catch (IOException e) {
            abort("to server", e);
            return;
        }
        if (taken > 0) {
            reactor.flushBeforeWaiting((NonBlockingChannel) channel); // with the other sockets' requests of this round
            countUp(taken);
        }
        // The window is full or the connection busy: the rest waits. A full read is a stream: it goes
        // on on a thread of its own, so that one stream's reads and another's encryption run on two
        // cores, not all on this one. Either way this thread stops reading the socket meanwhile.
        if (taken < n || n == most) {
            interest(SelectionKey.OP_READ, false);
            startWritingBehind(buffer, taken, n);
        }
    }

    /** Hands bytes {@code from} to {@code to} of {@code buffer}, which the channel did not take, to a thread that writes them behind. */
    private void startWritingBehind(byte[] buffer, int from, int to) {
        byte[] rest = Arrays.copyOfRange(buffer, from, to);
        Thread.ofVirtual().name("caret-pump-up").start(() -> writeBehind(rest));
    }

    /**
     * Writes bytes the channel did not take at once, waiting as needed, and whatever the application
     * sends meanwhile, until the socket has nothing more to read; then the reactor reads on.
     */
    private void writeBehind(byte[] bytes) {
        try {
            byte[] buffer = bytes;
            int n = bytes.length;
            while (n > 0 || buffer == bytes) {
                if (n > 0) {
                    writeChannel(buffer, n);
                    countUp(n);
                }
                if (buffer == bytes) {
                    buffer = new byte[upRead];
                }
                n = readSocket(buffer);
                if (n < 0) {
                    channel.sendEof();
                    directionEnded();
                    return;
                }
            }
            reactor.execute(() -> interest(SelectionKey.OP_READ, true));
        } catch (IOException e) {
            abort("to server", e);
        }
    }

    /**
     * The direction from the server without a thread of its own: the channel's data and its end
     * arrive on the transport's reading thread. A thread that reads the channel ({@link #fromServer})
     * starts only when the channel keeps data: the socket took less than it was offered. A short
     * connection is carried both ways without one, and a stream as long as the application reads
     * as fast as the server sends.
     */
    private final class FromServer implements NonBlockingChannel.Receiver {

        /**
         * Writes what the socket takes now, of every packet, a stream's too. Handing a stream's
         * packets to the thread that reads the channel let the transport's thread decrypt the next
         * packet while that thread wrote this one, but each packet then woke that thread: one stream
         * down on two cores, side by side, 1.20 s of client CPU per GiB that way against 0.98 this
         * way, at 682 against 701 MB/s; 64 streams down 95-544 against 516-866 MB/s.
         */
        @Override
        public int take(byte[] data, int offset, int len) {
            if (closed.get()) {
                return 0;
            }
            int written;
            try {
                written = nio.write(ByteBuffer.wrap(data, offset, len));
            } catch (IOException e) {
                written = 0; // the reading thread meets the same error in its write, and ends the pump
            }
            if (written > 0) {
                countDown(written);
            }
            if (written < len) {
                startReading(); // the channel keeps the rest for it, and newer data behind it
            }
            return written;
        }

        /**
         * The end, with nothing unread: the reactor ends the socket's output, as fromServer would,
         * and closes the pump when the other direction is over too, which sends the channel's
         * CLOSE. Not here: the transport's thread would carry that work ahead of every other
         * channel's next packet, where the reactor, woken once, also lets go of the socket at once.
         */
        @Override
        public void ended() {
            reactor.execute(Pump.this::fromServer); // its read returns -1 or throws at once: it neither writes nor waits
        }
    }

    /** Starts the thread that reads the channel and writes to the socket until the channel's end, unless it runs. */
    private void startReading() {
        if (!readingChannel) {
            readingChannel = true; // on one thread at a time: the handler's before the receiver is offered anything, then the transport's
            Thread.ofVirtual().name("caret-pump-down").start(this::fromServer);
        }
    }

    /** Writes all of {@code n} bytes to the non-blocking socket, waiting for the reactor's word that it takes more. */
    private void writeSocketAsRoom(byte[] buffer, int n) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
        try {
            while (bytes.hasRemaining()) {
                if (nio.write(bytes) == 0) {
                    awaitRoom();
                }
            }
        } catch (IOException e) {
            throw broke(Side.SOCKET, e);
        }
    }

    private void awaitRoom() throws IOException {
        awaitingRoom = Thread.currentThread();
        reactor.execute(() -> interest(SelectionKey.OP_WRITE, true));
        LockSupport.park(this);
        awaitingRoom = null;
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    private int readSocket(byte[] buffer) throws IOException {
        return readSocket(buffer, 0, buffer.length);
    }

    private int readSocket(byte[] buffer, int offset, int len) throws IOException {
        try {
            return nio.read(ByteBuffer.wrap(buffer, offset, len));
        } catch (IOException e) {
            throw broke(Side.SOCKET, e);
        }
    }

    private int tryWriteChannel(byte[] buffer, int n) throws IOException {
        try {
            return ((NonBlockingChannel) channel).tryWrite(buffer, 0, n);
        } catch (IOException e) {
            throw broke(Side.CHANNEL, e);
        }
    }

    private void toServer() {
        try {
            if (pending.length > 0) {
                writeChannel(pending, pending.length);
                countUp(pending.length);
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[MIN_BUFFER];
            int n;
            while ((n = readSocket(in, buffer)) >= 0) {
                if (n > 0) {
                    writeChannel(buffer, n);
                    countUp(n);
                }
                buffer = resized(buffer, n, upRead);
            }
            channel.sendEof();
            directionEnded();
        } catch (IOException e) {
            abort("to server", e);
        }
    }

    /**
     * Reads the channel and writes to the socket until the channel's EOF, then ends the socket's
     * output. Without blocking, it reads only what the channel kept (see {@link FromServer#take}) and writes
     * it as the socket takes it.
     */
    private void fromServer() {
        try {
            OutputStream out = nio == null ? socket.getOutputStream() : null;
            byte[] buffer = new byte[MIN_BUFFER];
            int n;
            while ((n = readChannel(buffer)) >= 0) {
                if (out == null) {
                    writeSocketAsRoom(buffer, n);
                } else {
                    writeSocket(out, buffer, n);
                }
                countDown(n);
                buffer = resized(buffer, n, MAX_BUFFER);
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

    /** Counts {@code n} bytes carried to the server; one direction's thread at a time. */
    private void countUp(int n) {
        traffic.sent(n);
        up += n;
    }

    /** Counts {@code n} bytes carried to the application; one direction's thread at a time. */
    private void countDown(int n) {
        traffic.received(n);
        down += n;
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

    /**
     * The buffer for the next read: twice as big after a read that filled it, up to {@code max}
     * bytes, and small again after a light one.
     */
    static byte[] resized(byte[] buffer, int lastRead, int max) {
        if (lastRead == buffer.length && buffer.length < max) {
            return new byte[Math.min(max, buffer.length * 2)];
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
