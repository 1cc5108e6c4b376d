package caret.core;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection as a forward type sees it: the same primitives; a warning when the type asks the
 * server to listen beyond its loopback (the bind policy of remote listens); and no way to close the
 * connection other forwards share.
 */
final class ForwardView implements SshConnection {

    private static final Logger log = LoggerFactory.getLogger(ForwardView.class);

    private final SshConnection connection;
    private final String forward;

    ForwardView(SshConnection connection, String forward) {
        this.connection = connection;
        this.forward = forward;
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        return connection.openChannel(target, originator);
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException {
        RemoteListen listen = connection.listen(bind, handler);
        if (!isLoopback(bind.host())) {
            log.warn("[{}] {} listens on {} for this forward: if its sshd_config has GatewayPorts yes or clientspecified,"
                    + " other machines can reach it, not only programs on the server; bind localhost unless that is what you want",
                    forward, connection.server(), listen.bound());
        }
        return listen;
    }

    @Override
    public void onDrop(Consumer<IOException> listener) {
        connection.onDrop(listener);
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public Endpoint server() {
        return connection.server();
    }

    /** The connection is shared by every forward on it: a forward type cannot close it. */
    @Override
    public void close() {
        log.warn("[{}] the forward type tried to close the connection to {}, which other forwards share; ignored",
                forward, connection.server());
    }

    /** Loopback as the server will read it; a name other than localhost is resolved there, so it counts as wider. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }
}
