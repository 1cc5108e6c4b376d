package caret.transport.jsch;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;
import caret.transport.jsch.byname.ForwardedDaemon;

import com.jcraft.jsch.ChannelForwardedTCPIP;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code tcpip-forward} port on the server; closing it sends {@code cancel-tcpip-forward}. JSch
 * routes each incoming {@code forwarded-tcpip} channel for the port to {@link ForwardedDaemon},
 * which hands it to {@link #opened} here.
 */
final class JschRemoteListen implements RemoteListen, ForwardedDaemon.Opener {

    private static final Logger log = LoggerFactory.getLogger(JschRemoteListen.class);

    private final JschConnection connection;
    private final Endpoint requested;
    private final ChannelHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Endpoint bound;

    JschRemoteListen(JschConnection connection, Endpoint requested, ChannelHandler handler) {
        this.connection = connection;
        this.requested = requested;
        this.handler = handler;
        this.bound = requested;
    }

    void bound(int port) {
        bound = new Endpoint(requested.host(), port);
    }

    Endpoint requested() {
        return requested;
    }

    @Override
    public Endpoint bound() {
        return bound;
    }

    /**
     * On JSch's channel thread, before JSch confirms the open: gives the channel our streams. The
     * handler starts once the open is confirmed, which the channel thread's first read of the
     * {@link ForwardedGate} tells.
     */
    @Override
    public void opened(ChannelForwardedTCPIP channel) {
        Endpoint originator = SessionThreads.originator();
        String name = "channel from " + bound + " (" + originator + ")";
        Inbound in = new Inbound(channel, name);
        channel.setOutputStream(in);
        OutputStream out;
        try {
            out = channel.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // JSch declares it but only makes the stream
        }
        JschChannel wrapped = new JschChannel(channel, in, out, name, connection.packetDataSize());
        channel.setInputStream(new ForwardedGate(() -> Thread.ofVirtual()
                .name("caret-jsch-forwarded-" + bound.port())
                .start(() -> dispatch(wrapped, originator))));
    }

    /** Runs the handler for one incoming channel; the handler owns the channel. */
    private void dispatch(JschChannel channel, Endpoint originator) {
        if (closed.get()) {
            channel.close();
            return;
        }
        try {
            handler.accept(channel, originator);
        } catch (RuntimeException | Error e) {
            log.warn("The handler for {} on {} failed on a connection from {}", bound, connection.server(),
                    originator, e);
            channel.close();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            connection.cancel(this);
        }
    }

    @Override
    public String toString() {
        return "listen " + bound + " on " + connection.server();
    }
}
