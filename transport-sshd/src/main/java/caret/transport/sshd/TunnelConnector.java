package caret.transport.sshd;

import caret.spi.SshChannel;

import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.SshFutureListener;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;

/**
 * The shared client's connector: MINA's own (TCP) for a connection attempt whose context has no
 * {@link #TUNNEL}, and a {@link TunnelSession} over that channel for one that has, so that a
 * session through a jump host is made by MINA's ordinary connect, with its host key check,
 * authentication and keepalive.
 */
final class TunnelConnector implements IoConnector {

    /** In a connection attempt's context: the channel of the jump host's connection to run it in. */
    static final AttributeKey<SshChannel> TUNNEL = new AttributeKey<>();

    private final IoConnector tcp;
    private final IoHandler handler;
    private final Map<Long, IoSession> tunnels = new ConcurrentHashMap<>();

    /**
     * @param tcp MINA's connector
     * @param handler the client's session factory, as MINA gives its own connector
     */
    TunnelConnector(IoConnector tcp, IoHandler handler) {
        this.tcp = tcp;
        this.handler = handler;
    }

    /** Whether a connection attempt with this context runs through a jump host's channel. */
    static boolean isTunnelled(AttributeRepository context) {
        return context != null && context.getAttribute(TUNNEL) != null;
    }

    /**
     * Through a tunnel: wraps the channel, lets MINA create its session on it (which sends the
     * client's version and key exchange proposal) and starts reading. Completes at once. The
     * channel belongs to the session from here on, also when this fails.
     */
    @Override
    public IoConnectFuture connect(SocketAddress targetAddress, AttributeRepository context, SocketAddress localAddress) {
        if (!isTunnelled(context)) {
            return tcp.connect(targetAddress, context, localAddress);
        }
        SshChannel channel = context.getAttribute(TUNNEL);
        IoConnectFuture future = new DefaultIoConnectFuture(targetAddress, null);
        TunnelSession session = new TunnelSession(this, handler, channel, localAddress, targetAddress);
        tunnels.put(session.getId(), session);
        try {
            session.setAttribute(AttributeRepository.class, context); // where MINA's session finds its context
            session.startWriting();
            handler.sessionCreated(session);
            session.startReading();
            future.setSession(session);
        } catch (Throwable t) {
            session.close(true);
            future.setException(t);
        }
        return future;
    }

    /** A tunnel session closed: forget it. */
    void sessionClosed(TunnelSession session) {
        tunnels.remove(session.getId());
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        Map<Long, IoSession> all = new HashMap<>(tcp.getManagedSessions());
        all.putAll(tunnels);
        return all;
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return tcp.getIoServiceEventListener();
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        tcp.setIoServiceEventListener(listener);
    }

    /** Closes MINA's connector; the tunnel sessions end with the jump host connections it carries. */
    @Override
    public CloseFuture close(boolean immediately) {
        return tcp.close(immediately);
    }

    @Override
    public void addCloseFutureListener(SshFutureListener<CloseFuture> listener) {
        tcp.addCloseFutureListener(listener);
    }

    @Override
    public void removeCloseFutureListener(SshFutureListener<CloseFuture> listener) {
        tcp.removeCloseFutureListener(listener);
    }

    @Override
    public boolean isClosed() {
        return tcp.isClosed();
    }

    @Override
    public boolean isClosing() {
        return tcp.isClosing();
    }
}
