package caret.plugin.dynamic;

import caret.spi.ChannelOpenException;
import caret.spi.ConnectionHandler;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.SshChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * Serves one SOCKS client: authenticates it when the forward has credentials, reads its request,
 * opens a channel to the destination it names through the SSH server, answers, and hands socket and
 * channel to the engine's pump. Every failure stays
 * with this one client, is answered when the protocol allows, and is recorded with
 * {@link ForwardContext#connectionFailed}.
 */
final class SocksConnectionHandler implements ConnectionHandler {

    /** How long a client has for its whole handshake. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** After a failure reply: how long to wait for the client to close, so the reply is not lost to a reset. */
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_MAX_BYTES = 64 * 1024;

    private final ForwardContext context;
    private final Duration handshakeTimeout;
    private final Optional<SocksCredentials> credentials;

    /**
     * @param credentials the username and password every client must give; empty to take any client
     */
    SocksConnectionHandler(ForwardContext context, Duration handshakeTimeout, Optional<SocksCredentials> credentials) {
        this.context = context;
        this.handshakeTimeout = handshakeTimeout;
        this.credentials = credentials;
    }

    @Override
    public void handle(Socket socket) throws IOException {
        Endpoint client = new Endpoint(IpLiteral.of(socket.getInetAddress()), socket.getPort());
        SocksHandshake handshake = new SocksHandshake(socket, handshakeTimeout, credentials);
        SocksRequest request;
        try {
            request = handshake.readRequest();
        } catch (IOException e) {
            context.connectionFailed("SOCKS handshake from " + client + ": " + e.getMessage(), e);
            closeAfterReply(socket);
            return;
        }

        SshChannel channel;
        try {
            channel = context.connection().openChannel(request.target(), client);
        } catch (ChannelOpenException e) {
            refuse(socket, handshake, e.reason(), request + " from " + client + ": " + e.getMessage(), e);
            return;
        } catch (IOException | RuntimeException e) {
            refuse(socket, handshake, null,
                    request + " from " + client + ": could not open a channel: " + e.getMessage(), e);
            return;
        }

        try {
            socket.setSoTimeout(0);
            handshake.replySuccess();
        } catch (IOException e) {
            channel.close();
            socket.close();
            context.connectionFailed(request + " from " + client
                    + ": the client went away before its connection was ready: " + e.getMessage(), e);
            return;
        }
        context.pump(socket, channel, request.pending());
    }

    private void refuse(Socket socket, SocksHandshake handshake, ChannelOpenException.Reason reason,
            String message, Exception cause) {
        try {
            handshake.replyFailure(reason);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        context.connectionFailed(message, cause);
        closeAfterReply(socket);
    }

    /**
     * Closes a client that got a failure reply, or none. The unread input is drained for a moment
     * first: closing a socket with unread input resets the connection, and a reset can destroy the
     * reply before the client reads it.
     */
    private static void closeAfterReply(Socket socket) {
        try (socket) {
            socket.shutdownOutput();
            socket.setSoTimeout((int) LINGER.toMillis());
            InputStream in = socket.getInputStream();
            byte[] discard = new byte[4096];
            long deadline = System.nanoTime() + LINGER.toNanos();
            int drained = 0;
            int n;
            while (drained < LINGER_MAX_BYTES && System.nanoTime() < deadline && (n = in.read(discard)) >= 0) {
                drained += n;
            }
        } catch (IOException e) {
            // Expected when the client resets or stays silent: its failure is already recorded, and
            // try-with-resources has closed the socket, which is all that is left to do.
        }
    }
}
