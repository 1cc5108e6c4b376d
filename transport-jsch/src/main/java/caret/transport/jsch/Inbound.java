package caret.transport.jsch;

import com.jcraft.jsch.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The input half of a channel. JSch's session thread writes each incoming data packet here (this
 * is the channel's {@code io.out}); {@link #read} hands it to the application.
 *
 * <p>JSch gives the peer more window as soon as a packet is written here, so this buffer is the
 * only bound on unread input: when it holds {@link #CAPACITY} bytes, {@link #write} blocks JSch's
 * session thread until the reader takes some (JSch's own piped streams do the same). JSch closes
 * this stream both on the peer's EOF ({@code eof_remote}) and when the channel closes
 * ({@code disconnect}); {@link Channel#isClosed()} tells the two apart.
 */
final class Inbound extends OutputStream {

    /** Unread bytes held per channel, at most; memory is taken per packet, not up front. */
    static final int CAPACITY = 1024 * 1024;

    private final Channel channel;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int headOffset;
    private long buffered;
    private boolean eof;
    private boolean ended;
    private boolean shut;

    Inbound(Channel channel, String name) {
        this.channel = channel;
        this.name = name;
    }

    /** JSch's session thread: one data packet. */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        lock.lock();
        try {
            while (buffered >= CAPACITY && !shut) {
                changed.await();
            }
            if (shut || eof || ended) {
                return; // nobody reads any more: drop it; JSch still credits the window
            }
            chunks.addLast(java.util.Arrays.copyOfRange(b, off, off + len));
            buffered += len;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // JSch's session thread is being stopped
            throw new InterruptedIOException("stopped while delivering data to the " + name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** JSch: the peer's EOF, or the channel closed. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (channel.isClosed()) {
                ended = true;
            } else {
                eof = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Our side closed the channel: wakes the reader and drops what is left. */
    void shut() {
        lock.lock();
        try {
            shut = true;
            chunks.clear();
            buffered = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int read(byte[] buffer, int offset, int len) throws IOException {
        return read(buffer, offset, len, 0);
    }

    /**
     * As {@link #read(byte[], int, int)}, but waits at most {@code timeoutMillis} for data (0 for
     * no limit), as a socket with that read timeout does.
     *
     * @throws SocketTimeoutException when nothing arrived in time; the stream stays usable
     */
    int read(byte[] buffer, int offset, int len, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (true) {
                if (shut) {
                    throw new IOException("The " + name + " is closed");
                }
                if (!chunks.isEmpty()) {
                    int n = 0;
                    while (n < len && !chunks.isEmpty()) {
                        byte[] head = chunks.peekFirst();
                        int take = Math.min(len - n, head.length - headOffset);
                        System.arraycopy(head, headOffset, buffer, offset + n, take);
                        n += take;
                        headOffset += take;
                        if (headOffset == head.length) {
                            chunks.removeFirst();
                            headOffset = 0;
                        }
                    }
                    buffered -= n;
                    changed.signalAll();
                    return n;
                }
                if (eof) {
                    return -1;
                }
                if (ended) {
                    throw new IOException("The " + name + " ended without EOF: " + (isSessionUp()
                            ? "the server closed it" : "the connection was lost"));
                }
                if (timeoutMillis == 0) {
                    changed.await();
                } else if (changed.awaitNanos(deadline - System.nanoTime()) <= 0 && chunks.isEmpty() && !eof
                        && !ended && !shut) {
                    throw new SocketTimeoutException("Nothing arrived on the " + name + " within " + timeoutMillis
                            + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading the " + name);
        } finally {
            lock.unlock();
        }
    }

    private boolean isSessionUp() {
        try {
            return channel.getSession().isConnected();
        } catch (com.jcraft.jsch.JSchException e) {
            return false;
        }
    }
}
