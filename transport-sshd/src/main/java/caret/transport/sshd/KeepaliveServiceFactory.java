package caret.transport.sshd;

import java.io.IOException;

import org.apache.sshd.client.session.ClientConnectionServiceFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The {@code ssh-connection} service with the connection's own keepalive. MINA reads the heartbeat
 * properties when it creates this service (with the session, before key exchange), so they are
 * set on the session here, from the settings in its connection context.
 *
 * <p>OpenSSH's ServerAliveInterval/ServerAliveCountMax: every interval a
 * {@code keepalive@openssh.com} global request with want-reply; after countMax unanswered ones MINA
 * gives the session up ({@code HEARTBEAT_NO_REPLY_MAX}).
 */
final class KeepaliveServiceFactory extends ClientConnectionServiceFactory {

    static final String REQUEST = "keepalive@openssh.com";

    @Override
    public Service create(Session session) throws IOException {
        SshdConnection connection = SshdConnection.of((ClientSession) session);
        if (!connection.settings().keepaliveInterval().isZero()) {
            CoreModuleProperties.HEARTBEAT_REQUEST.set(session, REQUEST);
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(session, connection.settings().keepaliveInterval());
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(session, connection.settings().keepaliveCountMax());
        }
        return super.create(session);
    }
}
