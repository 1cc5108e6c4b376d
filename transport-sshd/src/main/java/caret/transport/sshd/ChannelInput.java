package caret.transport.sshd;

import caret.spi.NonBlockingChannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.sshd.common.channel.LocalWindow;

/**
 * The data a channel's peer sent, waiting to be read; replaces MINA's {@code ChannelPipedInputStream}.
 * A ring buffer: MINA's I/O thread {@link #receive receives} each packet's data (copied once, out
 * of MINA's reused decoder buffer), {@link #read} copies it out and gives the window back; nothing
 * else is copied or allocated per packet. When a reader already waits, the data skips the ring and
 * goes straight into the reader's buffer. It grows (doubling) to what is unread at most, never past
 * the local window, and is allocated at the first data. MINA's pipe is one growing array too, but
 * it compacts after every read past a packet's worth, so a reader behind by a full window moved up
 * to 2 MiB for each 32 KiB it read.
 *
 * <p>The window goes back to the peer in steps of an eighth of it (256 KiB of the 2 MiB): one
 * {@code SSH_MSG_CHANNEL_WINDOW_ADJUST} once that much has been read ({@link #read}). MINA's own rule
 * sends one for every 64-131 KiB read; each is a packet the server must read and decrypt while it
 * sends. ssh sent one per 223 KiB on average (122-342 KiB) in the same 64 MiB download, this one per
 * 256-287 KiB. One stream down, side by side: 680-820 -> 830-920 MB/s (ssh 930-1050), CPU per GiB
 * 1.1-1.2 -> 0.9-1.0 s; half a window per step measured the same. Larger steps would cost a long path
 * throughput: what is read and not yet given back is window the server cannot use, an eighth at most
 * here.
 *
 * <p>Bounded by the local window: the peer may not send more than it. The peer's EOF ends reading
 * after the last byte ({@link #eof}); {@link #close} ends it at once and drops what is left, and
 * data that arrives after that is dropped too (the peer sends until it sees our CLOSE).
 *
 * <p>One reader at a time, as {@link caret.spi.SshChannel} allows: a second concurrent reader
 * would replace the first one's offered buffer.
 */
final class ChannelInput {

    /**
     * The smallest ring, taken by the first data; it doubles as a stream needs more. A ring is
     * dropped again once emptied by a small read, so an idle channel holds none: 10,000 idle
     * forwarded connections held a 16 KiB ring each (160 MB) when rings were kept.
     */
    private static final int MIN_CAPACITY = 1024;

    private final LocalWindow window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private static final byte[] EMPTY = new byte[0];

    private byte[] ring = EMPTY;
    /** Where the unread data starts in {@link #ring}. */
    private int head;
    /** How many bytes are unread. */
    private int size;
    private boolean eof;
    private boolean closed;
    /** The buffer of a reader waiting on an empty ring, where the next data goes directly; else null. */
    private byte[] offered;
    private int offeredOff;
    private int offeredLen;
    /** How many bytes {@link #receive} put into {@link #offered}. */
    private int handed;
    /** Bytes read and not yet given back to the peer's window; under the lock. */
    private long unreleased;
    /**
     * From the moment {@link #read} returns data until it is called again; under the lock. The
     * reader may still be writing those bytes out, and a receiver given newer data meanwhile would
     * write it ahead of them.
     */
    private boolean readerHolds;
    /** Where data goes before the ring when nothing is unread ({@link #deliverTo}); null: nowhere. Under the lock. */
    private NonBlockingChannel.Receiver receiver;
    /** Whether the receiver was told that the input ended; under the lock. */
    private boolean endTold;

    ChannelInput(LocalWindow window) {
        this.window = window;
    }

    /**
     * From now on, data that arrives while nothing is unread goes to {@code receiver} first, and the
     * end goes to it when no reader is there to see it ({@link #eof}).
     *
     * @return false when data or the end came first: a reader must see to them
     */
    boolean deliverTo(NonBlockingChannel.Receiver receiver) {
        lock.lock();
        try {
            this.receiver = receiver;
            return size == 0 && !eof && !closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code len} bytes from MINA's I/O thread: what the {@link #deliverTo receiver} takes,
     * when nothing is unread, and a copy of the rest; dropped once closed.
     */
    void receive(byte[] data, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        NonBlockingChannel.Receiver taker;
        lock.lock();
        try {
            taker = !closed && !readerHolds && size == 0 && (offered == null || handed == 0) ? receiver : null;
            if (taker == null) { // kept under the same lock: a receiver set meanwhile is told that data came first
                keep(data, off, len);
                return;
            }
        } finally {
            lock.unlock();
        }
        // Outside the lock: only this thread adds data, so nothing can come before these bytes.
        int taken = taker.take(data, off, len);
        if (taken > 0) {
            released(taken);
        }
        if (taken < len) {
            lock.lock();
            try {
                keep(data, off + taken, len - taken);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Puts data into a waiting reader's buffer and the rest into the ring; dropped once closed. Under the lock. */
    private void keep(byte[] data, int off, int len) {
        if (closed) {
            return;
        }
        int direct = 0;
        if (offered != null && handed == 0) { // a reader waits, so the ring is empty: nothing goes before
            direct = Math.min(len, offeredLen);
            System.arraycopy(data, off, offered, offeredOff, direct);
            handed = direct;
        }
        int rest = len - direct;
        if (rest > 0) {
            if (size + rest > ring.length) {
                grow(size + rest);
            }
            int tail = (head + size) & (ring.length - 1);
            int first = Math.min(rest, ring.length - tail);
            System.arraycopy(data, off + direct, ring, tail, first);
            System.arraycopy(data, off + direct + first, ring, 0, rest - first);
            size += rest;
        }
        changed.signal();
    }

    /**
     * The peer sent EOF, or the channel is closing: reading ends after what has arrived. A reader
     * waiting or still busy with its last read sees the end itself; without one, and with nothing
     * unread, the receiver is told, once.
     */
    void eof() {
        NonBlockingChannel.Receiver told = null;
        lock.lock();
        try {
            eof = true;
            changed.signalAll();
            if (receiver != null && !endTold && !closed && !readerHolds && size == 0 && offered == null) {
                endTold = true;
                told = receiver;
            }
        } finally {
            lock.unlock();
        }
        if (told != null) {
            told.ended(); // outside the lock: it reads, to learn how the input ended
        }
    }

    /** Ends reading now; a blocked reader gets an IOException. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            ring = EMPTY;
            head = 0;
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A power of two of at least {@code needed}, with the unread data moved to its start; under the lock. */
    private void grow(int needed) {
        byte[] larger = new byte[Math.max(MIN_CAPACITY, Integer.highestOneBit(needed - 1) << 1)];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, larger, 0, first);
        System.arraycopy(ring, 0, larger, first, size - first);
        ring = larger;
        head = 0;
    }

    /**
     * Blocks until data, EOF or close; copies as much as there is, up to {@code len}, and gives the
     * window back once an eighth of it has been read. A reader that finds nothing waits with its
     * buffer offered to {@link #receive}, which copies the next data straight into it: a reader that
     * keeps up (a download, an answer awaited) gets every byte in one copy, not two through the ring.
     *
     * @return the bytes read, or -1 after the peer's EOF
     * @throws IOException when closed
     */
    int read(byte[] buffer, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buffer.length);
        if (len == 0) {
            return 0;
        }
        int n;
        lock.lock();
        try {
            readerHolds = false; // back for more: done with what the last read returned
            n = size == 0 && !eof && !closed ? awaitData(buffer, off, len) : 0;
            if (closed) {
                throw new IOException("Closed");
            }
            if (n == 0) {
                n = fromRing(buffer, off, len);
            }
            readerHolds = n > 0;
        } finally {
            lock.unlock();
        }
        if (n == 0) {
            return -1; // eof, all read
        }
        released(n);
        return n;
    }

    /** Counts {@code n} bytes as read and gives the window back once an eighth of it has been. */
    private void released(int n) throws IOException {
        long release = 0;
        lock.lock();
        try {
            unreleased += n;
            if (unreleased >= window.getMaxSize() / 8) {
                release = unreleased;
                unreleased = 0;
            }
        } finally {
            lock.unlock();
        }
        if (release > 0 && window.isOpen()) {
            window.release(release); // may send SSH_MSG_CHANNEL_WINDOW_ADJUST (MINA holds small ones back)
        }
    }

    /**
     * Waits for data, EOF or close with {@code buffer} offered to {@link #receive}; returns how many
     * bytes it put there (0: the data, if any, is in the ring). Under the lock.
     */
    private int awaitData(byte[] buffer, int off, int len) throws InterruptedIOException {
        offered = buffer;
        offeredOff = off;
        offeredLen = len;
        handed = 0;
        try {
            while (handed == 0 && size == 0 && !eof && !closed) {
                changed.await();
            }
            return handed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (handed > 0) {
                return handed; // already in the caller's buffer
            }
            throw new InterruptedIOException("Interrupted while waiting for data");
        } finally {
            offered = null;
        }
    }

    /** Copies up to {@code len} bytes out of the ring; 0 when it is empty. Under the lock. */
    private int fromRing(byte[] buffer, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, ring.length - head);
        System.arraycopy(ring, head, buffer, off, first);
        System.arraycopy(ring, 0, buffer, off + first, n - first);
        head = (head + n) & (ring.length - 1);
        size -= n;
        if (size == 0 && n < MIN_CAPACITY) {
            ring = EMPTY; // light traffic: the next data takes a small ring again
            head = 0;
        }
        return n;
    }
}
