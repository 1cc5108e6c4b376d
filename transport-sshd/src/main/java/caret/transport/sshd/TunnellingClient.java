package caret.transport.sshd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSessionImpl;
import org.apache.sshd.client.session.SessionFactory;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoSession;

/**
 * MINA's client, able to run a session inside a channel of another (a jump host's) as well as over
 * TCP: its connector is a {@link SessionConnector}. MINA's own ProxyJump support is not used: it
 * listens on a local port for the target's session (through its port forwarder). Its sessions reuse
 * the arrays of their outgoing channel data ({@link PacketPool}).
 */
final class TunnellingClient extends SshClient {

    @Override
    protected SessionFactory createSessionFactory() {
        return new SessionFactory(this) {
            @Override
            protected ClientSessionImpl doCreateSession(IoSession ioSession) throws Exception {
                return new PacketPool.Session(getClient(), ioSession);
            }
        };
    }

    @Override
    protected IoConnector createConnector() {
        return new SessionConnector(getSessionFactory());
    }

    /**
     * Through a jump host the target's name stays unresolved: MINA would resolve it here (building
     * an {@code InetSocketAddress}), but only the jump host can, and must, resolve it.
     */
    @Override
    protected ConnectFuture doConnect(HostConfigEntry hostConfig, List<HostConfigEntry> jumps,
            AttributeRepository context, SocketAddress localAddress) throws IOException {
        if (!SessionConnector.isTunnelled(context)) {
            return super.doConnect(hostConfig, jumps, context, localAddress);
        }
        InetSocketAddress target = InetSocketAddress.createUnresolved(hostConfig.getHostName(), hostConfig.getPort());
        return doConnect(hostConfig.getUsername(), target, context, localAddress, null, hostConfig);
    }
}
