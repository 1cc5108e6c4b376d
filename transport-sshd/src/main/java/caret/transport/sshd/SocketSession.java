package caret.transport.sshd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import jdk.net.ExtendedSocketOptions;

import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.DefaultCloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * MINA's transport for one SSH session ({@link IoSession}) over a TCP socket of our own, in place of
 * MINA's NIO2 session, which hands every read and every completed write to another thread of its
 * pool. Here one thread per session does the reading, and a packet is written by the thread that
 * sends it:
 *
 * <ul>
 *   <li>Reading: a platform thread waits on the socket (a selector of its own), reads what
 *       arrived and hands it to MINA's {@link IoHandler#messageReceived}, which decrypts it and
 *       delivers it to its channels on this thread.
 *   <li>Writing: {@link #writeBuffer} (MINA calls it with its encode lock held, which keeps packets
 *       in order) writes the packet at once without blocking and returns a completed future. What
 *       the socket does not take now is queued, and the reading thread writes it when the socket
 *       has room; later packets queue behind it. No MINA thread ever blocks on the socket: the
 *       reading thread must keep reading, or a server that stops reading while its own output to
 *       us is unread (OpenSSH's sshd does) would wait for us as we wait for it.
 *   <li>Held packets: a thread that {@linkplain #holdWrites holds} its writes (a channel's
 *       {@code tryWrite}) leaves its packets queued, unwritten, until it {@linkplain #flush flushes}
 *       them or another thread writes: then they go out together, in one system call and, on a
 *       socket to a server nearby, one TCP segment. The engine's reactor, which reads many
 *       applications' requests in one round, so sends them as ssh sends what it read in one turn of
 *       its poll loop; the server reads them at once too.
 *   <li>Back pressure: {@link #awaitRoom} holds a channel's writer, outside MINA's locks, while
 *       more than {@link #QUEUE_LIMIT} bytes wait for the socket, so that a slow or frozen server
 *       costs at most that much heap per connection, beside the channels' windows.
 *   <li>Closing: gracefully, once the queue is written, with an EOF ({@code shutdownOutput}); at
 *       once, by closing the socket, which ends the reader and fails what is still queued.
 * </ul>
 */
final class SocketSession extends AbstractCloseable implements IoSession {

    /** Negative ids: never equal to the ids of MINA's own sessions, which count up from 100. */
    private static final AtomicLong IDS = new AtomicLong();

    /** MINA's NIO2 read size ({@code NIO2_READ_BUFFER_SIZE}): one SSH packet of 32 KiB per read. */
    private static final int READ_BUFFER = 32 * 1024;

    /** Set on a thread while its packets may wait for {@link #flush}: see {@link #holdWrites}. */
    private static final ThreadLocal<Boolean> HOLDING = new ThreadLocal<>();

    /** Queued bytes above which channel writers wait for the socket. */
    static final long QUEUE_LIMIT = 1024 * 1024;

    /**
     * Bytes offered to one gathering write. The JDK copies every packet offered into a direct buffer
     * of the writing thread's cache before the system call, whatever the socket then takes, and keeps
     * those buffers for the thread's next write: a whole backed-up queue in one write copied up to
     * {@link #QUEUE_LIMIT} and more per attempt, and left megabytes of native memory per thread.
     */
    private static final long GATHERED = 256 * 1024;

    private final long id = IDS.decrementAndGet();
    private final SessionConnector service;
    private final IoHandler handler;
    private final SocketChannel socket;
    private final Selector selector;
    private final SelectionKey key;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private final boolean quickAck;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition room = writeLock.newCondition();
    /** Guarded by writeLock: packets the socket has not taken yet, in order, and their size. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queued;
    /** Guarded by writeLock: the queue holds packets not tried yet ({@link #holdWrites}), and no wait for room. */
    private boolean held;
    /** Guarded by writeLock: the reader writes the queue once the socket has room (OP_WRITE). */
    private boolean roomAsked;
    /** Guarded by writeLock: an EOF to send once the queue is written, then this future to complete. */
    private DefaultCloseFuture eofAfterQueue;
    private boolean eofPending;
    private volatile IOException failure;
    /** The thread that reads, once started. */
    private volatile Thread reader;

    private record Pending(ByteBuffer data, WriteFuture future, Buffer packet) {
    }

    /** The future of one write: completed when the socket took all of it, or failed. */
    private static final class WriteFuture extends AbstractIoWriteFuture {
        WriteFuture(Object id) {
            super(id, null);
        }

        void written() {
            setValue(Boolean.TRUE);
        }

        void failed(Throwable t) {
            setValue(t);
        }
    }

    /** @param socket connected, in non-blocking mode */
    SocketSession(SessionConnector service, IoHandler handler, SocketChannel socket) throws IOException {
        super("session to " + socket.getRemoteAddress());
        this.service = service;
        this.handler = handler;
        this.socket = socket;
        this.local = socket.getLocalAddress();
        this.remote = socket.getRemoteAddress();
        this.quickAck = socket.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
        this.selector = Selector.open();
        try {
            this.key = socket.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /** The socket to the server. */
    SocketChannel socket() {
        return socket;
    }

    /** Starts the reader; only once MINA has created its session for this one. */
    void startReading() {
        reader = Thread.ofPlatform().daemon().name("caret-sshd-read " + remote).start(this::readLoop);
    }

    private void readLoop() {
        // Direct: the socket reads into it without the JDK's temporary direct buffer, and MINA copies
        // from it into its decoder buffer (one copy of every byte received, where a heap buffer made two).
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        Readable received = Readable.readable(buffer);
        try (selector) {
            while (!isClosing() && failure == null) {
                selector.select();
                selector.selectedKeys().clear(); // the one key: its ready set is read below
                if (!key.isValid()) {
                    break;
                }
                int ready = key.readyOps();
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    writeQueue(false);
                }
                if ((ready & SelectionKey.OP_READ) != 0 && !read(buffer, received)) {
                    close(true); // the server closed the connection
                    return;
                }
            }
            if (failure != null) {
                failed(failure);
            }
        } catch (Throwable t) {
            failed(failure != null ? failure : t); // a write that failed closed the socket under the read
        }
    }

    /** Reads what has arrived, a buffer at a time; false at the end of the stream. */
    private boolean read(ByteBuffer buffer, Readable received) throws Exception {
        while (true) {
            buffer.clear();
            int n = socket.read(buffer);
            buffer.flip();
            if (quickAck) {
                socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
            }
            if (n < 0) {
                return false;
            }
            if (n > 0) {
                handler.messageReceived(this, received);
            }
            if (n < buffer.capacity()) {
                return true; // most likely all there was; the selector says when more comes
            }
        }
    }

    /** As MINA's own sessions: tell the handler (unless closing anyway), then close at once. */
    private void failed(Throwable t) {
        if (!isClosing()) {
            try {
                handler.exceptionCaught(this, t);
            } catch (Exception e) {
                t.addSuppressed(e);
            }
        }
        close(true);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) {
        WriteFuture future = new WriteFuture(remote);
        Pending packet = new Pending(ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()), future, buffer);
        List<Pending> done = List.of();
        writeLock.lock();
        try {
            if (isClosing() || failure != null || eofPending) {
                future.failed(new ClosedChannelException());
                return future;
            }
            enqueue(packet); // behind what waits for room, if anything does: the reader writes it then
            if (!roomAsked) {
                if (HOLDING.get() != null) {
                    held = true;
                } else {
                    done = writeQueued(); // with any packets held before it, ahead of it
                }
            }
        } catch (IOException | CancelledKeyException e) { // cancelled: the socket closed under us
            IOException failed = e instanceof IOException io ? io : new ClosedChannelException();
            writeFailed(failed);
            future.failed(failed);
            return future;
        } finally {
            writeLock.unlock();
        }
        completed(done); // outside the lock: a listener may write again
        return future;
    }

    /**
     * Lets the packets this thread writes from now on wait in the queue, unwritten, until it calls
     * {@link #flush} ({@code true}), or ends that ({@code false}). A thread that holds must flush
     * before it waits for anything: the server sees nothing of what is held, and sends no window for
     * it.
     */
    static void holdWrites(boolean hold) {
        if (hold) {
            HOLDING.set(Boolean.TRUE);
        } else {
            HOLDING.remove();
        }
    }

    /** Writes the packets held for a {@link #flush}, all in one go, as much as the socket takes. */
    void flush() {
        writeQueue(true);
    }

    /**
     * Writes what is queued, as much as the socket takes: for the reader once the socket has room,
     * or for a flush ({@code heldOnly}: only packets held for it, not those that wait for room).
     */
    private void writeQueue(boolean heldOnly) {
        List<Pending> done = List.of();
        writeLock.lock();
        try {
            if (held || !heldOnly) {
                done = writeQueued();
            }
        } catch (IOException | CancelledKeyException e) {
            writeFailed(e instanceof IOException io ? io : new ClosedChannelException());
        } finally {
            writeLock.unlock();
        }
        completed(done);
    }

    /** Queues a packet; under writeLock. */
    private void enqueue(Pending packet) {
        queue.addLast(packet);
        queued += packet.data().remaining();
    }

    /**
     * Writes the queue: several packets with gathering writes of about {@link #GATHERED} bytes each,
     * one after the other while the socket takes all it is offered; what it does not take waits for
     * room, and the reader writes it then. Returns the packets written whole, to complete outside
     * the lock. Under writeLock.
     */
    private List<Pending> writeQueued() throws IOException {
        held = false;
        List<Pending> done = new ArrayList<>();
        boolean taken = true;
        while (taken && !queue.isEmpty()) {
            long offered;
            long written;
            if (queue.size() == 1) { // most writes: one packet, by a plain write
                ByteBuffer data = queue.peekFirst().data();
                offered = data.remaining();
                written = socket.write(data);
            } else {
                List<ByteBuffer> data = new ArrayList<>();
                offered = 0;
                for (Pending pending : queue) {
                    data.add(pending.data());
                    offered += pending.data().remaining();
                    if (offered >= GATHERED) {
                        break;
                    }
                }
                written = socket.write(data.toArray(new ByteBuffer[0]));
            }
            queued -= written;
            taken = written == offered;
            while (!queue.isEmpty() && !queue.peekFirst().data().hasRemaining()) {
                done.add(queue.removeFirst());
            }
        }
        if (queue.isEmpty()) {
            askForRoom(false);
            if (eofPending) {
                eofPending = false;
                socket.shutdownOutput();
            }
            if (eofAfterQueue != null) {
                eofAfterQueue.setClosed();
                eofAfterQueue = null;
            }
        } else {
            askForRoom(true);
        }
        if (queued <= QUEUE_LIMIT) {
            room.signalAll();
        }
        return done;
    }

    /** Asks the reader to write the queue once the socket has room ({@code true}), or no longer; under writeLock. */
    private void askForRoom(boolean ask) {
        if (ask != roomAsked) {
            roomAsked = ask;
            if (ask) {
                key.interestOpsOr(SelectionKey.OP_WRITE);
                if (Thread.currentThread() != reader) {
                    selector.wakeup(); // the reader may be in a select that does not ask for it yet
                }
            } else {
                key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    private static void completed(List<Pending> written) {
        for (Pending packet : written) {
            packet.future().written();
            PacketPool.recycle(packet.packet());
        }
    }

    /** A write failed: the socket is closed, and the reader reports this failure. Under writeLock. */
    private void writeFailed(IOException e) {
        if (failure == null) {
            failure = e;
        }
        closeSocket();
        room.signalAll();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed is closed
        }
        selector.wakeup();
    }

    /**
     * Waits while more than {@link #QUEUE_LIMIT} bytes wait for the socket; returns at once when
     * the session is closing. For a channel's writer, before it enters MINA (never under MINA's
     * locks: the reader needs them to go on).
     */
    void awaitRoom() throws InterruptedIOException {
        writeLock.lock();
        try {
            while (queued > QUEUE_LIMIT && !isClosing() && failure == null) {
                room.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting to write to " + remote);
        } finally {
            writeLock.unlock();
        }
    }

    /** Whether a channel's writer may write now: no more than {@link #QUEUE_LIMIT} bytes wait for the socket. */
    boolean hasRoom() {
        writeLock.lock();
        try {
            return queued <= QUEUE_LIMIT;
        } finally {
            writeLock.unlock();
        }
    }

    /** An EOF after what is queued. */
    @Override
    public void shutdownOutputStream() throws IOException {
        List<Pending> done;
        writeLock.lock();
        try {
            done = held ? writeQueued() : List.of();
            if (queue.isEmpty()) {
                socket.shutdownOutput();
            } else {
                eofPending = true;
            }
        } catch (CancelledKeyException e) {
            throw new ClosedChannelException(); // the socket closed under us
        } finally {
            writeLock.unlock();
        }
        completed(done);
    }

    /** Once the queue is written, an EOF; then {@link #doCloseImmediately()}. */
    @Override
    protected CloseFuture doCloseGracefully() {
        DefaultCloseFuture flushed = new DefaultCloseFuture(this, futureLock);
        List<Pending> done = List.of();
        writeLock.lock();
        try {
            done = held ? writeQueued() : done;
            if (queue.isEmpty()) {
                socket.shutdownOutput();
                flushed.setClosed();
            } else {
                eofPending = true;
                eofAfterQueue = flushed;
            }
        } catch (IOException | CancelledKeyException e) {
            flushed.setClosed(); // nothing more to send anyway
        } finally {
            writeLock.unlock();
        }
        completed(done);
        return flushed;
    }

    @Override
    protected void doCloseImmediately() {
        List<WriteFuture> dropped = new ArrayList<>();
        writeLock.lock();
        try {
            closeSocket(); // ends the reader
            queue.forEach(p -> dropped.add(p.future()));
            queue.clear();
            queued = 0;
            held = false;
            room.signalAll();
        } finally {
            writeLock.unlock();
        }
        IOException closed = new ClosedChannelException();
        dropped.forEach(f -> f.failed(closed));
        service.sessionClosed(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Exception e) {
            log.debug("Closing the session to {} failed: {}", remote, e.toString());
        }
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null; // connected by us, not accepted
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoService getService() {
        return service;
    }

    /** MINA's SSH sessions never suspend reading (only its own port forwarders do). */
    @Override
    public void suspendRead() {
        throw new UnsupportedOperationException("A Caret SSH session does not suspend reading");
    }

    /** See {@link #suspendRead()}. */
    @Override
    public void resumeRead() {
        throw new UnsupportedOperationException("A Caret SSH session does not suspend reading");
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String toString() {
        return "SocketSession[" + local + " -> " + remote + "]";
    }
}
