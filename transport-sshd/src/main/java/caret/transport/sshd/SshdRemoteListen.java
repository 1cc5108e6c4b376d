package caret.transport.sshd;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code tcpip-forward} port on the server; closing it sends {@code cancel-tcpip-forward}.
 *
 * <p>It is registered with its connection before the request goes out, so that no incoming
 * channel finds it missing: with a fixed port it takes channels at once (the first connection may
 * beat the server's reply); with port 0 from the moment the reply names the port, which MINA's
 * I/O thread records ({@link #granted}) before it reads the next packet, such as the first
 * {@code forwarded-tcpip} channel to that port.
 */
final class SshdRemoteListen implements RemoteListen {

    private static final Logger log = LoggerFactory.getLogger(SshdRemoteListen.class);

    private enum State {
        /** Asked for; the server has not answered. */
        PENDING,
        /** The server listens. */
        BOUND,
        /** Closed, refused, or given up on. */
        CLOSED
    }

    private final SshdConnection connection;
    private final Endpoint requested;
    private final ChannelHandler handler;
    private State state = State.PENDING;
    private volatile Endpoint bound;

    SshdRemoteListen(SshdConnection connection, Endpoint requested, ChannelHandler handler) {
        this.connection = connection;
        this.requested = requested;
        this.handler = handler;
        this.bound = requested.port() == 0 ? null : requested;
    }

    /**
     * The server's success reply: records the port it bound. Runs on MINA's I/O thread.
     *
     * @param port the port the reply names; ignored unless port 0 was asked for
     * @return false when the listen was given up on meanwhile: the server's port must be cancelled
     */
    synchronized boolean granted(int port) {
        if (state != State.PENDING) {
            return false;
        }
        if (requested.port() == 0) {
            bound = new Endpoint(requested.host(), port);
        }
        state = State.BOUND;
        return true;
    }

    /**
     * Gives the request up (refused, timed out, connection lost) unless the server granted it
     * meanwhile.
     *
     * @return true when it was given up; false when it is bound after all
     */
    synchronized boolean abandon() {
        if (state == State.BOUND) {
            return false;
        }
        state = State.CLOSED;
        return true;
    }

    Endpoint requested() {
        return requested;
    }

    /**
     * Where incoming channels match: the requested address and port, or with port 0 the port the
     * server bound; null when that is not known yet or the listen is closed.
     */
    synchronized Endpoint boundOrNull() {
        return state == State.CLOSED ? null : bound;
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

    /** Sends {@code cancel-tcpip-forward} without waiting for the server's answer. */
    @Override
    public void close() {
        boolean wasBound;
        synchronized (this) {
            wasBound = state == State.BOUND;
            state = State.CLOSED;
        }
        if (wasBound) {
            connection.cancel(this);
        }
    }

    @Override
    public String toString() {
        return "listen " + (bound == null ? requested : bound) + " on " + connection.server();
    }
}
