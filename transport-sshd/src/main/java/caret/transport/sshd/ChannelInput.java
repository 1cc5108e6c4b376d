package caret.transport.sshd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.sshd.common.channel.LocalWindow;

/**
 * The data a channel's peer sent, waiting to be read; replaces MINA's {@code ChannelPipedInputStream}.
 * MINA's I/O thread {@link #receive receives} each packet's data as one chunk (copied once, out of
 * MINA's reused decoder buffer); {@link #read} copies it out and gives the window back. MINA's pipe
 * is one growing array that it compacts after every read past a packet's worth, so a reader behind
 * by a full window moved up to 2 MiB for each 32 KiB it read.
 *
 * <p>Bounded by the local window: the peer may not send more than it. The peer's EOF ends reading
 * after the last byte ({@link #eof}); {@link #close} ends it at once and drops what is left, and
 * data that arrives after that is dropped too (the peer sends until it sees our CLOSE).
 */
final class ChannelInput {

    private final LocalWindow window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Where the unread part of the first chunk starts. */
    private int offset;
    private boolean eof;
    private boolean closed;

    ChannelInput(LocalWindow window) {
        this.window = window;
    }

    /** Takes a copy of {@code len} bytes from MINA's I/O thread; dropped once closed. */
    void receive(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        byte[] chunk = new byte[len];
        System.arraycopy(data, off, chunk, 0, len);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            chunks.addLast(chunk);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The peer sent EOF: reading ends after what has arrived. */
    void eof() {
        lock.lock();
        try {
            eof = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends reading now; a blocked reader gets an IOException. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until data, EOF or close; copies as much as there is, up to {@code len}, and frees that
     * much of the local window.
     *
     * @return the bytes read, or -1 after the peer's EOF
     * @throws IOException when closed
     */
    int read(byte[] buffer, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buffer.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        lock.lock();
        try {
            while (chunks.isEmpty() && !eof && !closed) {
                changed.await();
            }
            if (closed) {
                throw new IOException("Closed");
            }
            while (n < len && !chunks.isEmpty()) {
                byte[] first = chunks.peekFirst();
                int take = Math.min(len - n, first.length - offset);
                System.arraycopy(first, offset, buffer, off + n, take);
                n += take;
                offset += take;
                if (offset == first.length) {
                    chunks.removeFirst();
                    offset = 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for data");
        } finally {
            lock.unlock();
        }
        if (n == 0) {
            return -1; // eof, all read
        }
        if (window.isOpen()) {
            window.release(n); // may send SSH_MSG_CHANNEL_WINDOW_ADJUST
        }
        return n;
    }
}
