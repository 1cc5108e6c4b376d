package caret.transport.sshd;

import caret.spi.SshChannel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * The shared client's connector, in place of MINA's NIO2 one (whose thread pool is never created):
 * each session is a {@link SocketSession} over a TCP socket of our own, or, when the connection
 * attempt's context has a {@link #TUNNEL}, a {@link TunnelSession} over that channel of a jump
 * host's connection. So a session through a jump host is made by MINA's ordinary connect, with its
 * host key check, authentication and keepalive.
 */
final class SessionConnector extends AbstractCloseable implements IoConnector {

    /** In a connection attempt's context: the channel of the jump host's connection to run it in. */
    static final AttributeKey<SshChannel> TUNNEL = new AttributeKey<>();

    private final IoHandler handler;
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    private volatile IoServiceEventListener listener;

    /** @param handler the client's session factory, as MINA gives its own connector */
    SessionConnector(IoHandler handler) {
        this.handler = handler;
    }

    /** Whether a connection attempt with this context runs through a jump host's channel. */
    static boolean isTunnelled(AttributeRepository context) {
        return context != null && context.getAttribute(TUNNEL) != null;
    }

    /**
     * Through a tunnel: wraps the channel, lets MINA create its session on it (which sends the
     * client's version and key exchange proposal) and starts reading; completes at once, and the
     * channel belongs to the session from here on, also when this fails. Over TCP: connects on a
     * virtual thread, with Nagle off (every SSH packet goes out at once: a 1-byte echo never waits
     * for a delayed ACK); cancelling the future closes the socket, which ends a connect in progress.
     */
    @Override
    public IoConnectFuture connect(SocketAddress targetAddress, AttributeRepository context, SocketAddress localAddress) {
        IoConnectFuture future = new DefaultIoConnectFuture(targetAddress, null);
        if (isTunnelled(context)) {
            SshChannel channel = context.getAttribute(TUNNEL);
            TunnelSession session = new TunnelSession(this, handler, channel, localAddress, targetAddress);
            session.startWriting();
            start(session, session::startReading, context, future);
            return future;
        }
        SocketChannel socket;
        try {
            socket = SocketChannel.open();
        } catch (IOException e) {
            future.setException(e);
            return future;
        }
        future.addListener(f -> {
            if (f.isCanceled()) {
                closeQuietly(socket);
            }
        });
        Thread.ofVirtual().name("caret-sshd-connect " + targetAddress).start(() -> {
            SocketSession session;
            try {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (localAddress != null) {
                    socket.bind(localAddress);
                }
                socket.connect(targetAddress);
                socket.configureBlocking(false);
                session = new SocketSession(this, handler, socket);
            } catch (IOException | RuntimeException e) {
                closeQuietly(socket);
                if (!future.isCanceled()) {
                    future.setException(e);
                }
                return;
            }
            start(session, session::startReading, context, future);
        });
        return future;
    }

    /** MINA creates its session on this one, then the reader starts; a failure closes it. */
    private void start(IoSession session, Runnable startReading, AttributeRepository context, IoConnectFuture future) {
        sessions.put(session.getId(), session);
        try {
            session.setAttribute(AttributeRepository.class, context); // where MINA's session finds its context
            handler.sessionCreated(session);
            future.setSession(session);
            if (future.getSession() != session) { // cancelled meanwhile
                session.close(true);
                return;
            }
            startReading.run();
        } catch (Throwable t) {
            session.close(true);
            future.setException(t);
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed is closed
        }
    }

    /** A session closed: forget it. */
    void sessionClosed(IoSession session) {
        sessions.remove(session.getId());
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Map.copyOf(sessions);
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return listener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.listener = listener;
    }

    /** The sessions end with their connections, which MINA's client closes before this. */
    @Override
    protected void doCloseImmediately() {
        sessions.values().forEach(s -> s.close(true));
        super.doCloseImmediately();
    }
}
