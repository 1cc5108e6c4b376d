package caret.transport.sshd;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;

import java.io.IOException;
import java.util.Optional;

import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code forwarded-tcpip} channel the server opens for a connection to one of our
 * {@code tcpip-forward} ports. Replaces MINA's own forwarder: it goes to the
 * {@link ChannelHandler} of the {@link SshdRemoteListen} whose port it names, on a virtual thread
 * of its own; a channel for no known listen is refused.
 */
final class ForwardedChannel extends AbstractServerChannel {

    private static final Logger log = LoggerFactory.getLogger(ForwardedChannel.class);

    static final ChannelFactory FACTORY = new ChannelFactory() {
        @Override
        public String getName() {
            return "forwarded-tcpip";
        }

        @Override
        public ForwardedChannel createChannel(Session session) {
            return new ForwardedChannel(SshdConnection.of((ClientSession) session));
        }
    };

    private final SshdConnection connection;
    /** Held while a write is on its way: see {@link SshdChannel#closedByPeer}. */
    private final WriteGate writing = new WriteGate(this);
    private ChannelInput input;
    private ChannelOutputStream output;

    private ForwardedChannel(SshdConnection connection) {
        super("", java.util.List.of(), null);
        this.connection = connection;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String address = buffer.getString();
        int port = (int) buffer.getUInt();
        Endpoint originator = originator(buffer.getString(), (int) buffer.getUInt());
        Optional<SshdRemoteListen> listen = connection.listenFor(address, port);
        if (listen.isEmpty()) {
            log.debug("Refused a forwarded-tcpip channel for {}:{}: no such listen", address, port);
            OpenFuture refused = new DefaultOpenFuture(this, this);
            try {
                refused.setException(new SshChannelOpenException(getChannelId(),
                        SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "No listen on " + address + ":" + port));
            } finally {
                close(true);
            }
            return refused;
        }
        input = new ChannelInput(getLocalWindow());
        output = new ChannelOutputStream(this, getRemoteWindow(), log, SshConstants.SSH_MSG_CHANNEL_DATA, true);
        OpenFuture opened = super.doInit(buffer);
        if (opened.isOpened()) {
            SshdRemoteListen target = listen.get();
            SshdChannel channel = new SshdChannel(this, writing, input, output,
                    "channel from " + target.bound() + " (" + originator + ")");
            Thread.ofVirtual().name("caret-sshd-forwarded-" + port).start(() -> target.dispatch(channel, originator));
        }
        return opened;
    }

    private static Endpoint originator(String host, int port) {
        return new Endpoint(host == null || host.isBlank() ? "unknown" : host, port & 0xFFFF);
    }

    /** After we closed our end the peer still sends until it sees our CLOSE: ChannelInput drops that. */
    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        input.receive(data, off, (int) len);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        // No stderr on a TCP channel: drop it, but give the window back so the peer does not stall.
        getLocalWindow().release(len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        if (input != null) {
            input.eof();
        }
    }

    @Override
    public void handleClose() throws IOException {
        SshdChannel.closedByPeer(this, writing, super::handleClose);
    }

    @Override
    protected void preClose() {
        // Wake a blocked reader: SshdChannel tells a clean end (EOF seen) from a broken one.
        if (input != null) {
            input.eof();
        }
        super.preClose();
    }
}
