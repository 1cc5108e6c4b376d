package caret.transport.sshd;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.channel.ChannelPipedInputStream;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A {@code direct-tcpip} channel with MINA's synchronous streams, plus the one thing they lack: the
 * peer's EOF ends the input stream (read returns -1 after the last byte), while the channel stays
 * writable.
 */
final class DirectChannel extends ChannelDirectTcpip {

    /** Held while a write is on its way: see {@link SshdChannel#closedByPeer}. */
    final ReentrantLock writing = new ReentrantLock();

    DirectChannel(SshdSocketAddress originator, SshdSocketAddress target) {
        super(originator, target);
    }

    /** The input pipe: at most one local window of unread data; reading frees the window. */
    ChannelPipedInputStream pipe() {
        return (ChannelPipedInputStream) getInvertedOut();
    }

    /** The output stream: packets of at most the peer's packet size, blocking on its window. */
    ChannelOutputStream output() {
        return (ChannelOutputStream) getInvertedIn();
    }

    /**
     * Data that arrives after we closed our end (the peer sends until it sees our CLOSE) is dropped:
     * MINA's pipe would throw, and an exception here closes the whole session, every channel on it.
     */
    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        try {
            super.doWriteData(data, off, len);
        } catch (IOException e) {
            if (pipe().isOpen()) {
                throw e;
            }
        }
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        pipe().eof();
    }

    @Override
    public void handleClose() throws IOException {
        SshdChannel.closedByPeer(this, writing, super::handleClose);
    }
}
