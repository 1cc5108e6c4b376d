package caret.spi;

import java.io.IOException;

/**
 * An {@link SshChannel} that can also be driven without blocking, so that the engine carries
 * connections on few threads instead of a thread per direction: incoming data goes to a
 * {@link Receiver} on the transport's own thread as it arrives, and {@link #tryWrite} sends only
 * what the channel takes now. Each hand-off between threads costs a context switch, which on a
 * short connection or a request/response exchange is most of the CPU; these two remove the
 * hand-off in each direction.
 *
 * <p>Optional: a transport whose channels are plain {@link SshChannel}s works the same, with a
 * thread per direction. The blocking methods stay usable on a non-blocking channel, one writer
 * at a time: the engine falls back to them while the peer's window is full or the connection's
 * output is backed up.
 */
@Experimental
public interface NonBlockingChannel extends SshChannel {

    /**
     * From now on, offers data that arrives while nothing waits to be read to {@code receiver}, on
     * the transport's reading thread, before it is buffered. What the receiver does not take stays
     * buffered for {@link #read}, in order. The receiver is offered data again only once
     * {@link #read} has returned every buffered byte and been called again: until its caller comes
     * back for more, it may still be passing on what it got, which newer data must not overtake.
     * Bytes the receiver takes count as read for flow control. The end of the input (the peer's
     * EOF, the channel's close, a broken connection) wakes a {@link #read} under way; with none,
     * and nothing unread, the receiver is told ({@link Receiver#ended}). Set once, before the
     * first data is expected.
     *
     * @return false when data or the end arrived before this call: {@link #read} them, as above;
     *     true when the receiver hears of everything from now on
     */
    boolean deliverTo(Receiver receiver);

    /**
     * Sends as many of the {@code len} bytes as the channel takes without waiting: no more than the
     * peer's window, nothing while the connection's output is backed up or a key exchange is under
     * way. The caller sends the rest later, with {@link #write} (which waits) or another try.
     *
     * <p>What it takes may wait in the transport until this thread calls {@link #flush}, so that
     * the tries of one round (a thread that reads many sockets, then sends what they had) go to
     * the server together, as ssh sends what it read in one turn of its poll loop. So a caller
     * flushes before it waits for anything: a reply to what is held cannot come.
     *
     * @return how many bytes were taken, from 0 to {@code len}
     * @throws IOException when the channel was closed, EOF was already sent, or the connection broke
     */
    int tryWrite(byte[] buffer, int offset, int len) throws IOException;

    /**
     * Sends what {@link #tryWrite} held back on this thread, this channel's and that of the other
     * channels of its connection, without waiting. A failure to send breaks the connection, which
     * its channels report. Nothing to do for a transport that never holds anything back.
     */
    default void flush() {
    }

    /** Takes a channel's incoming data where it arrives; see {@link #deliverTo}. */
    interface Receiver {

        /**
         * Takes up to {@code len} bytes, on the transport's reading thread, which every channel of
         * the connection shares: it must not block or wait for anything.
         *
         * @return how many bytes it took, from 0 to {@code len}; the rest stays with the channel
         */
        int take(byte[] data, int offset, int len);

        /**
         * The input is over and nothing is unread: {@link #read} now returns -1 after the peer's
         * EOF, or throws when the channel ended without it, at once. Called once, on the
         * transport's reading thread, and only while no read waits or still holds what it returned
         * (such a read learns of the end itself): so the end of a connection whose data the
         * receiver took needs no thread parked in {@link #read}. Must not block.
         */
        void ended();
    }
}
