package caret.transport.jsch;

import caret.spi.SshChannel;
import caret.transport.jsch.byname.PacketTap;

import com.jcraft.jsch.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@link SshChannel} over a JSch channel, for both kinds ({@code direct-tcpip} and
 * {@code forwarded-tcpip}).
 *
 * <p>Output goes through {@link Channel#getOutputStream()}: each write is flushed, JSch cuts it
 * into packets of the peer's size and blocks on the peer's window; closing that stream sends EOF
 * only. Input comes from {@link Inbound}.
 *
 * <p>One owner for write and close. JSch's {@code Session.write} waits for window in
 * {@code c.wait(100)}, which releases the channel's monitor; a {@code disconnect()} from another
 * thread then sends CLOSE, and when the waiting writer wakes to a window that a
 * {@code WINDOW_ADJUST} opened meanwhile, it sends its DATA after the CLOSE. The server has freed
 * the channel by then and ends the whole session ("data packet referred to nonexistent channel").
 * So {@link #close()} never disconnects while a write or EOF is in progress: it marks the channel
 * closing, wakes the reader, and the writer disconnects as soon as its JSch call returns.
 *
 * <p>The server's CLOSE races the same way, on JSch's session thread, which answers it at once. So
 * as the server's CLOSE is decrypted ({@link PacketTap#beforeClose}), before JSch reads it, the
 * session thread waits for a write in progress to return (at most {@link #PEER_CLOSE_WAIT_MILLIS}:
 * a writer that waits for window the server will never give now stays in JSch until the CLOSE is
 * handled, and then fails) and no new write begins.
 */
final class JschChannel implements SshChannel {

    /**
     * How long JSch's session thread waits, at the server's CLOSE, for a write in progress. A
     * writer whose window had opened is done within microseconds; one still short of window stays
     * until the CLOSE is handled: this long, during which the session reads nothing else.
     */
    static final long PEER_CLOSE_WAIT_MILLIS = 200;

    /**
     * What JSch adds to a channel's data to make a packet, at most: the message's header (14 bytes
     * with the packet's length) and room for padding and the MAC ({@code Session.getBufferMargin()}:
     * at most 128 bytes, with hmac-sha2-512; 84 with AES-GCM or ChaCha20-Poly1305).
     */
    static final int PACKET_OVERHEAD = 14 + 128;

    /**
     * The most data one of JSch's packets carries when the server's maximum packet size is
     * OpenSSH's 32 KiB: JSch builds each packet in a buffer of the server's packet size, overhead
     * included. A write of 32 KiB would go out as one full packet and one of a hundred bytes, each
     * of which the server decrypts and hands on; a write of this size goes out whole.
     */
    static final int PACKET_DATA = 32 * 1024 - PACKET_OVERHEAD;

    private final Channel channel;
    private final Inbound in;
    private final OutputStream out;
    private final String name;
    private final int packetDataSize;
    private final Object lock = new Object();
    private boolean writing;
    private boolean eofSent;
    private boolean closing;
    private boolean closedByServer;
    private boolean released;

    /** @param packetDataSize what one write sends as one packet: {@link JschConnection#packetDataSize()} */
    JschChannel(Channel channel, Inbound in, OutputStream out, String name, int packetDataSize) {
        this.channel = channel;
        this.in = in;
        this.out = out;
        this.name = name;
        this.packetDataSize = packetDataSize;
        PacketTap.beforeClose(channel.getId(), this::serverCloses);
    }

    /** JSch's session thread, as the server's CLOSE arrives and before JSch answers it. */
    private void serverCloses() {
        synchronized (lock) {
            closedByServer = true;
            long deadline = System.nanoTime() + PEER_CLOSE_WAIT_MILLIS * 1_000_000;
            for (long left; writing && (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    lock.wait(left / 1_000_000 + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // JSch's session thread is being stopped
                    return;
                }
            }
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        if (len == 0) {
            synchronized (lock) {
                if (closing) {
                    throw new IOException("The " + name + " is closed");
                }
            }
            return 0;
        }
        return in.read(buffer, offset, len);
    }

    /**
     * As {@link #read(byte[], int, int)}, waiting at most {@code timeoutMillis} (0: no limit); for
     * a session carried through this channel, whose keepalive needs a read timeout.
     */
    int read(byte[] buffer, int offset, int len, int timeoutMillis) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        return len == 0 ? 0 : in.read(buffer, offset, len, timeoutMillis);
    }

    @Override
    public void write(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        beginWrite(false);
        try {
            out.write(buffer, offset, len);
            out.flush();
            if (channel.isClosed()) { // JSch drops data for a closed channel without a word
                throw new IOException("The " + name + " was closed by the server");
            }
        } catch (IOException e) {
            synchronized (lock) {
                if (closing) {
                    throw new IOException("The " + name + " was closed while writing", e);
                }
                if (closedByServer || channel.isClosed()) { // JSch says "channel is broken"
                    throw new IOException("The " + name + " was closed by the server while writing", e);
                }
            }
            throw e;
        } finally {
            endWrite();
        }
    }

    @Override
    public int packetDataSize() {
        return packetDataSize;
    }

    @Override
    public void sendEof() throws IOException {
        synchronized (lock) {
            if (eofSent || closing || closedByServer) {
                return; // after the server's CLOSE, as JSch itself does: there is nobody to tell
            }
        }
        if (!beginWrite(true)) {
            return;
        }
        try {
            out.close(); // flushes, then SSH_MSG_CHANNEL_EOF; the channel stays open
        } finally {
            endWrite();
        }
    }

    /** False when EOF was already sent and this is another sendEof. */
    private boolean beginWrite(boolean eof) throws IOException {
        synchronized (lock) {
            while (writing && !closing) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while waiting to write to the " + name);
                }
            }
            if (closing) {
                throw new IOException("The " + name + " is closed");
            }
            if (closedByServer) {
                throw new IOException("The " + name + " was closed by the server");
            }
            if (eofSent) {
                if (eof) {
                    return false;
                }
                throw new IOException("EOF was already sent on the " + name + "; it takes no more data");
            }
            if (eof) {
                eofSent = true;
            }
            writing = true;
            return true;
        }
    }

    private void endWrite() {
        boolean release;
        synchronized (lock) {
            writing = false;
            lock.notifyAll();
            release = closing && !released;
            released |= release;
        }
        if (release) {
            disconnect();
        }
    }

    @Override
    public void close() {
        boolean release;
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            release = !writing;
            released |= release;
            lock.notifyAll();
        }
        in.shut();
        if (release) {
            disconnect();
        }
    }

    /** CLOSE; for a forwarded channel also ends JSch's channel thread. */
    private void disconnect() {
        PacketTap.forget(channel.getId());
        channel.disconnect();
    }

    @Override
    public String toString() {
        return name;
    }
}
