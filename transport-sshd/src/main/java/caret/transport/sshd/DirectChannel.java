package caret.transport.sshd;

import java.io.IOException;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.Closeable;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A {@code direct-tcpip} channel: MINA's synchronous output stream, and our {@link ChannelInput}
 * instead of MINA's input pipe, which the peer's EOF ends (read returns -1 after the last byte)
 * while the channel stays writable.
 */
final class DirectChannel extends ChannelDirectTcpip {

    /** Held while a write is on its way: see {@link SshdChannel#closedByPeer}. */
    final WriteGate writing = new WriteGate(this);
    private final ChannelInput input = new ChannelInput(getLocalWindow());

    DirectChannel(SshdSocketAddress originator, SshdSocketAddress target) {
        super(originator, target);
    }

    /** The input: at most one local window of unread data; reading gives the window back. */
    ChannelInput input() {
        return input;
    }

    /** The output stream: packets of at most the peer's packet size, blocking on its window. */
    ChannelOutputStream output() {
        return (ChannelOutputStream) getInvertedIn();
    }

    /** Data that arrives after we closed our end (the peer sends until it sees our CLOSE) is dropped. */
    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        input.receive(data, off, (int) len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        input.eof();
    }

    @Override
    protected void preClose() {
        // Wake a blocked reader: SshdChannel tells a clean end (EOF seen) from a broken one.
        input.eof();
        super.preClose();
    }

    /**
     * MINA's closer first waits for the open request's answer and, when it closes at once (the last
     * step of every close), fails that answer with a new {@code SshException}, even when the channel
     * opened long ago: filling in that exception's stack trace was a fifth of the reading thread's
     * work on a channel's close. An opened channel has no answer to wait for, so its closer is built
     * without that step: {@code AbstractClientChannel} adds it only while {@code openFuture} is set,
     * and reads the field again only when the closer runs, after this thread restored it. A close on
     * another thread at that very moment (the session's immediate close beside a graceful one) may
     * see it unset and skip the CLOSE exchange, which that immediate close skips anyway; nothing
     * else reads it once the channel is open but {@code getChannelState} and {@code waitFor}, which
     * Caret does not call.
     */
    @Override
    protected Closeable getInnerCloseable() {
        OpenFuture opened = openFuture;
        if (opened == null || !opened.isOpened()) {
            return super.getInnerCloseable();
        }
        openFuture = null;
        try {
            return super.getInnerCloseable();
        } finally {
            openFuture = opened;
        }
    }

    @Override
    public void handleClose() throws IOException {
        SshdChannel.closedByPeer(this, writing, super::handleClose);
    }
}
