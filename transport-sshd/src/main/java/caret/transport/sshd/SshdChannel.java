package caret.transport.sshd;

import caret.spi.NonBlockingChannel;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.sshd.common.channel.AbstractChannel;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.kex.KexState;
import org.apache.sshd.common.session.helpers.AbstractSession;

/**
 * {@link NonBlockingChannel} over a {@link ChannelInput} and MINA's channel output stream, for both
 * channel kinds.
 *
 * <p>Input: MINA's I/O thread hands each incoming packet's data to the {@link ChannelInput} (at most
 * one local window, since the peer may not send more than the window) and {@link #read} copies it
 * out and gives the window back in steps of an eighth of it. Output: {@link #write} copies into
 * MINA's packet buffer and flushes at once; the flush blocks on the remote window, and before that
 * the writer waits while the connection's socket has more than its limit queued
 * ({@link SocketSession#awaitRoom}). {@link #sendEof()} closes only the output stream, which sends
 * SSH EOF; the input goes on until the peer's EOF.
 *
 * <p>Without blocking: the {@link #deliverTo receiver} gets the data on MINA's I/O thread, in
 * {@link ChannelInput#receive}, and {@link #tryWrite} writes only what the remote window takes,
 * and nothing while the socket's queue is over its limit, a key exchange is under way (MINA would
 * hold the writer until it is over) or another writer is in. Its packet waits in the socket's queue
 * for {@link #flush} ({@link SocketSession#holdWrites}), so that the packets of several tries go out
 * in one write.
 */
final class SshdChannel implements NonBlockingChannel {

    /**
     * What MINA adds to a channel's data to make a packet, at most: the packet's length and
     * padding length (5 bytes), the message's header (9), padding (less than two cipher blocks:
     * 31) and the MAC (64, with hmac-sha2-512). No compression: MINA offers {@code none} first.
     */
    static final int PACKET_OVERHEAD = 5 + 9 + 31 + 64;

    private final AbstractChannel channel;
    private final ChannelInput in;
    private final ChannelOutputStream out;
    private final String name;
    private final AtomicBoolean eofSent = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Held while a write or EOF is on its way, so that CLOSE never overtakes DATA; shared with the MINA channel. */
    private final WriteGate writing;

    /** @param writing the MINA channel's write lock, also taken by its {@code handleClose} (see {@link #closedByPeer}) */
    SshdChannel(AbstractChannel channel, WriteGate writing, ChannelInput in, ChannelOutputStream out, String name) {
        this.channel = channel;
        this.writing = writing;
        this.in = in;
        this.out = out;
        this.name = name;
    }

    /**
     * For the MINA channels' {@code handleClose}: the peer closed the channel, and MINA answers with
     * its CLOSE. That answer must not overtake a DATA packet a writer is building: sshd frees the
     * channel's number once both CLOSEs are through, may give it to the next channel at once, and
     * that channel would get the late bytes of this one. So the writer is woken (the peer will send
     * no more window) and MINA answers once it has left. This runs on the session's reading thread,
     * which must not wait for the writer: a writer can itself be waiting for that thread, held by
     * MINA while a key exchange is under way until the reading thread has read the server's part of
     * it (that deadlock froze a whole connection under parallel uploads). So when a writer is in,
     * the writer answers as it leaves ({@link WriteGate#runAfterWriter}).
     */
    static void closedByPeer(AbstractChannel channel, WriteGate writing, WriteGate.Action<IOException> answer)
            throws IOException {
        channel.getRemoteWindow().close();
        writing.runAfterWriter(answer);
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        if (closed.get()) {
            throw new IOException("The " + name + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        int n;
        try {
            n = in.read(buffer, offset, len);
        } catch (IOException e) {
            if (closed.get()) {
                throw new IOException("The " + name + " was closed while reading", e);
            }
            throw e;
        }
        if (n < 0 && !channel.isEofSignalled()) {
            // The input also ends when MINA closes the channel: without the peer's EOF that is a break.
            if (closed.get()) {
                throw new IOException("The " + name + " was closed while reading");
            }
            throw new IOException("The " + name + " ended without EOF: "
                    + (channel.getSession().isOpen() ? "the server closed it" : "the connection was lost"));
        }
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        if (channel.getSession().getIoSession() instanceof SocketSession socket) {
            socket.flush(); // what a tryWrite held goes first: this write may wait for the server
            socket.awaitRoom(); // before MINA's locks: the socket's queue is over its limit
        }
        writing.lock();
        try {
            checkWritable();
            out.write(buffer, offset, len);
            out.flush();
        } catch (IOException e) {
            throw failedWrite(e);
        } finally {
            writing.unlock();
        }
    }

    /**
     * The server's maximum packet size: MINA fills each packet with that much data. Through a jump
     * host each of this session's packets is one write to a channel of the jump host's connection,
     * and goes out there as one packet if it fits: then less by what MINA adds to the data.
     */
    @Override
    public int packetDataSize() {
        int size = (int) Math.min(Integer.MAX_VALUE, channel.getRemoteWindow().getPacketSize());
        if (channel.getSession().getIoSession() instanceof TunnelSession tunnel) {
            size = Math.min(size, tunnel.packetDataSize() - PACKET_OVERHEAD);
        }
        return size;
    }

    @Override
    public boolean deliverTo(Receiver receiver) {
        return in.deliverTo(receiver);
    }

    @Override
    public int tryWrite(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        if (channel.getSession().getIoSession() instanceof SocketSession socket && !socket.hasRoom()
                || channel.getSession() instanceof AbstractSession session && session.getKexState() != KexState.DONE
                || !writing.tryLock()) {
            return 0;
        }
        try {
            checkWritable();
            int n = (int) Math.min(len, channel.getRemoteWindow().getSize());
            if (n > 0) {
                SocketSession.holdWrites(true); // the packet waits for flush(), or for another thread's packet
                try {
                    out.write(buffer, offset, n); // within the window: MINA sends it without waiting
                    out.flush();
                } finally {
                    SocketSession.holdWrites(false);
                }
            }
            return n;
        } catch (IOException e) {
            throw failedWrite(e);
        } finally {
            writing.unlock();
        }
    }

    /** Writes the packets {@link #tryWrite} held, this channel's and those of the connection's other channels. */
    @Override
    public void flush() {
        if (channel.getSession().getIoSession() instanceof SocketSession socket) {
            socket.flush();
        }
    }

    private void checkWritable() throws IOException {
        if (closed.get()) {
            throw new IOException("The " + name + " is closed");
        }
        if (eofSent.get()) {
            throw new IOException("EOF was already sent on the " + name + "; it takes no more data");
        }
    }

    private IOException failedWrite(IOException e) {
        if (closed.get()) {
            return new IOException("The " + name + " was closed while writing", e);
        }
        if (!channel.getRemoteWindow().isOpen() || channel.isClosing()) { // MINA says "Already closed: RemoteWindow[...]"
            return new IOException("The " + name + " was closed by the server while writing", e);
        }
        return e;
    }

    @Override
    public void sendEof() throws IOException {
        writing.lock();
        try {
            if (eofSent.compareAndSet(false, true) && !closed.get()) {
                out.close(); // flushes, then SSH_MSG_CHANNEL_EOF; the channel stays open
            }
        } finally {
            writing.unlock();
        }
    }

    /**
     * Closes without racing a writer: a DATA packet sent after our CLOSE makes OpenSSH's sshd drop
     * the whole connection ("packet referred to nonexistent channel"). MINA builds a packet after
     * the window wait and sends it later, so CLOSE must wait until the writer is out: closing the
     * remote window first wakes a writer waiting for space, then CLOSE goes out once it has left.
     * Without waiting: the engine may close on MINA's reading thread (a receiver's end), where a
     * writer held by a key exchange would wait for that very thread; then the writer sends CLOSE as
     * it leaves, as in {@link #closedByPeer}.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            in.close(); // wakes a blocked reader
            try {
                channel.getRemoteWindow().close(); // wakes a writer waiting for window, sends nothing
            } catch (IOException e) {
                // Window.close only flags and signals.
            }
            writing.runAfterWriter(() -> channel.close(false)); // CLOSE, after any DATA already on its way
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
