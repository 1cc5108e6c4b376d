package caret.transport.jsch.byname;

import com.jcraft.jsch.ChannelForwardedTCPIP;
import com.jcraft.jsch.ForwardedTCPIPDaemon;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * What JSch runs for each incoming {@code forwarded-tcpip} channel of a listen registered with
 * {@code Session.setPortForwardingR(bind, port, ForwardedDaemon.class.getName(), {opener})}: it only
 * hands the channel to the {@link Opener} (the listen), on JSch's channel thread and before JSch
 * confirms the open. JSch creates it by name, with its public no-argument constructor.
 */
public final class ForwardedDaemon implements ForwardedTCPIPDaemon {

    /** Takes a new channel: must replace its streams before returning, since JSch confirms the open next. */
    public interface Opener {
        void opened(ChannelForwardedTCPIP channel);
    }

    private ChannelForwardedTCPIP channel;

    public ForwardedDaemon() {
    }

    @Override
    public void setChannel(ChannelForwardedTCPIP channel, InputStream in, OutputStream out) {
        this.channel = channel; // JSch's pipes stay unused: the opener sets the channel's own streams
    }

    @Override
    public void setArg(Object[] arg) {
        ((Opener) arg[0]).opened(channel);
    }

    @Override
    public void run() {
        // JSch starts this on a thread of its own before it confirms the open: nothing to do here,
        // the opener starts the handler once the open is confirmed.
    }
}
