package caret.transport.sshd;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@code tcpip-forward} port on the server; closing it sends {@code cancel-tcpip-forward}. */
final class SshdRemoteListen implements RemoteListen {

    private static final Logger log = LoggerFactory.getLogger(SshdRemoteListen.class);

    private final SshdConnection connection;
    private final Endpoint requested;
    private final ChannelHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Endpoint bound;

    SshdRemoteListen(SshdConnection connection, Endpoint requested, ChannelHandler handler) {
        this.connection = connection;
        this.requested = requested;
        this.handler = handler;
        this.bound = requested.port() == 0 ? null : requested;
    }

    void bound(int port) {
        bound = new Endpoint(requested.host(), port);
    }

    Endpoint requested() {
        return requested;
    }

    Endpoint boundOrNull() {
        return closed.get() ? null : bound;
    }

    @Override
    public Endpoint bound() {
        return bound;
    }

    /** Runs the handler for one incoming channel; the handler owns the channel. */
    void dispatch(SshdChannel channel, Endpoint originator) {
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
