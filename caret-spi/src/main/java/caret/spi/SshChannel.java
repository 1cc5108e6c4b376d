package caret.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * One SSH channel carrying one TCP connection: a byte stream whose two halves are independent.
 * After {@link #sendEof()} the channel can still be read; after the peer's EOF ({@link #read}
 * returns -1) it can still be written. Flow control is the channel's: {@link #write} blocks while
 * the peer's window is full, and the transport buffers at most one window of unread input.
 *
 * <p>One thread may read while another writes. {@link #close()} may be called from any thread and
 * wakes both.
 */
@Experimental
public interface SshChannel extends Closeable {

    /**
     * Reads up to {@code len} bytes, blocking until at least one is there.
     *
     * @return the number of bytes read, or -1 once the peer has sent EOF and every byte before it
     *     has been read
     * @throws IOException when the channel was closed or the connection broke
     */
    int read(byte[] buffer, int offset, int len) throws IOException;

    /**
     * Sends {@code len} bytes and returns once the transport has taken them; nothing is held back
     * waiting for more. Blocks while the peer's window is full.
     *
     * @throws IOException when the channel was closed, EOF was already sent, or the connection broke
     */
    void write(byte[] buffer, int offset, int len) throws IOException;

    /**
     * The most bytes one {@link #write} sends in a single SSH packet. The engine reads a stream at
     * most this much at a time, so that each read goes out as one full packet rather than a full
     * one and a few bytes in a second: the server pays for every packet it decrypts. A longer write
     * is still sent, in more packets. By default 32 KiB, the packet size OpenSSH's {@code sshd}
     * offers; a transport whose packets carry less of it, or that knows the server's size, says so.
     * Asked once, when the engine starts pumping; the engine reads at least 1 KiB at a time whatever
     * the answer.
     */
    default int packetDataSize() {
        return 32 * 1024;
    }

    /** Sends EOF: this side will write no more. The channel stays open for reading. Idempotent. */
    void sendEof() throws IOException;

    /** Closes both halves and frees the channel. Idempotent; never throws. */
    @Override
    void close();
}
