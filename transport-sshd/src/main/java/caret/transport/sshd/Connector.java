package caret.transport.sshd;

import caret.spi.Hop;
import caret.spi.ChannelOpenException;
import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.spi.SshChannel;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.future.WaitableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connects, checks the host key and authenticates, within the connect timeout; maps failures to reasons. */
final class Connector {

    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    /** How long a failed handshake may take to close, for the server's disconnect reason to be known. */
    private static final Duration DISCONNECT_WAIT = Duration.ofSeconds(1);

    /** The originator a channel through a jump host names: no local socket stands behind it. */
    private static final Endpoint ORIGINATOR = new Endpoint("127.0.0.1", 0);
    private static final InetSocketAddress ORIGINATOR_ADDRESS = InetSocketAddress.createUnresolved(
            ORIGINATOR.host(), ORIGINATOR.port());

    private Connector() {
    }

    /**
     * Connects directly, or through the settings' jump host: first to the jump host with its own
     * settings, then inside a {@code direct-tcpip} channel of that connection ({@link TunnelSession}).
     * The connection returned owns the jump host's connection; a failure closes it.
     */
    static SshdConnection connect(SharedClient clients, ConnectionSettings settings) throws TransportException {
        Optional<ConnectionSettings> jumpSettings = settings.jumpHost();
        if (jumpSettings.isEmpty()) {
            return connect(clients, settings, Hop.direct(settings.server()), null);
        }
        SshdConnection jump = connect(clients, jumpSettings.get(), Hop.jumpHost(jumpSettings.get().server()), null);
        try {
            return connect(clients, settings, Hop.through(settings.server(), jump.server()), jump);
        } catch (TransportException | RuntimeException e) {
            jump.close();
            throw e;
        }
    }

    private static SshdConnection connect(SharedClient clients, ConnectionSettings settings, Hop hop,
            SshdConnection jump) throws TransportException {
        Endpoint server = settings.server();
        ConnectDeadline deadline = new ConnectDeadline(settings.connectTimeout());
        EarlyKeys keys = EarlyKeys.start();
        // Through a jump host the name goes to it unresolved, as ssh -J does; directly it is resolved once, here.
        InetAddress address = jump == null ? resolve(hop) : null;
        SshChannel tunnel = jump == null ? null : tunnel(jump, server, deadline);
        SshClient client = clients.acquire();
        SshdConnection connection = new SshdConnection(settings, jump, deadline, clients, client);
        Identities identities = new Identities(settings, deadline);
        boolean connected = false;
        try {
            HostConfigEntry entry = new HostConfigEntry(server.host(),
                    address == null ? server.host() : address.getHostAddress(), server.port(), settings.user());
            entry.setIdentitiesOnly(true);
            ConnectFuture connecting = tunnel == null
                    ? client.connect(entry, AttributeRepository.ofAttributesMap(Map.of(SshdConnection.KEY, connection,
                            EarlyKeys.KEY, keys)), null)
                    : client.connect(entry, AttributeRepository.ofAttributesMap(Map.of(SshdConnection.KEY, connection,
                            EarlyKeys.KEY, keys, SessionConnector.TUNNEL, tunnel)), ORIGINATOR_ADDRESS);
            if (!await(connecting, deadline)) {
                connecting.cancel();
                throw new TransportException(Reason.UNREACHABLE, "Cannot connect to " + hop.name() + ": no answer within "
                        + seconds(settings.connectTimeout()) + ". Is the host up, and does a firewall drop the port?");
            }
            if (connecting.getException() != null) {
                throw tcpFailure(hop, connecting.getException());
            }
            ClientSession session = connecting.getClientSession();
            connection.attach(session);
            session.setKeyIdentityProvider(identities.keys());
            session.setPasswordIdentityProvider(identities.passwords());

            AuthFuture auth = session.auth();
            if (!await(auth, deadline)) {
                throw connection.hostKeyFailure().map(hop::explain).orElseGet(() -> new TransportException(
                        Reason.UNREACHABLE, "Connection to " + hop.name() + " timed out after "
                        + seconds(settings.connectTimeout())
                        + " during the SSH handshake. Is it an SSH server, and is the network slow? Raise the connect timeout."));
            }
            if (!auth.isSuccess()) {
                throw connection.hostKeyFailure().map(hop::explain).orElseGet(
                        () -> handshakeFailure(settings, hop, connection, identities, auth.getException()));
            }
            identities.forget(session);
            connection.ready();
            connected = true;
            log.debug("Connected to {} as {}", hop.name(), settings.user());
            return connection;
        } catch (IOException e) {
            throw connection.hostKeyFailure().map(hop::explain)
                    .orElseGet(() -> handshakeFailure(settings, hop, connection, identities, e));
        } finally {
            if (!connected) {
                connection.abandon();
                if (tunnel != null) {
                    tunnel.close(); // the session over it closed it already, unless it never started
                }
            }
        }
    }

    /**
     * The channel of the jump host's connection that the session to {@code target} runs in; the
     * jump host connects to {@code target} as named, within the connect timeout.
     */
    private static SshChannel tunnel(SshdConnection jump, Endpoint target, ConnectDeadline deadline)
            throws TransportException {
        try {
            return jump.open(target, ORIGINATOR, Duration.ofMillis(Math.max(1, deadline.waitMillis())));
        } catch (ChannelOpenException e) {
            throw Hop.channelRefused(jump.server(), target, e);
        } catch (SocketTimeoutException e) {
            throw Hop.channelFailed(jump.server(), target, describe(e), e);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(Reason.UNREACHABLE, "Connecting to " + target + " through jump host "
                    + jump.server() + " was interrupted", e);
        } catch (IOException e) {
            throw Hop.channelFailed(jump.server(), target, describe(e), e);
        }
    }

    private static InetAddress resolve(Hop hop) throws TransportException {
        try {
            return InetAddress.getByName(hop.server().host());
        } catch (UnknownHostException e) {
            throw new TransportException(Reason.UNREACHABLE, "Cannot connect to " + hop.name() + ": host name "
                    + hop.server().host() + " is unknown. Check its spelling and your DNS.", e);
        }
    }

    /**
     * Waits for {@code future} until the deadline, which stands still while the user is asked (host
     * key, passphrase, password): only the network and the server are timed.
     */
    private static boolean await(WaitableFuture future, ConnectDeadline deadline) throws IOException {
        for (long wait = deadline.waitMillis(); wait > 0; wait = deadline.waitMillis()) {
            if (future.await(wait)) {
                return true;
            }
        }
        return future.isDone();
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static TransportException tcpFailure(Hop hop, Throwable failure) {
        Throwable cause = rootCause(failure);
        String what;
        String hint;
        if (cause instanceof ConnectException && text(cause).contains("refused")) {
            what = "connection refused";
            hint = "Is sshd running there, and is the port right (" + hop.portOption() + ")?";
        } else if (cause instanceof NoRouteToHostException || text(cause).contains("unreachable")
                || text(cause).contains("no route")) {
            what = "no route to host (" + cause.getMessage() + ")";
            hint = "Is the host up, and is the address right?";
        } else if (cause instanceof SocketTimeoutException || text(cause).contains("timed out")) {
            what = "connection timed out";
            hint = "Is the host up, and does a firewall drop the port?";
        } else if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
            what = "host name " + hop.server().host() + " is unknown";
            hint = "Check its spelling and your DNS.";
        } else {
            what = describe(cause);
            hint = "Is the host reachable, and is the port right (" + hop.portOption() + ")?";
        }
        return new TransportException(Reason.UNREACHABLE, "Cannot connect to " + hop.name() + ": " + what + ". " + hint,
                failure);
    }

    /** The TCP connection stood; key exchange or authentication failed. */
    private static TransportException handshakeFailure(ConnectionSettings settings, Hop hop,
            SshdConnection connection, Identities identities, Throwable failure) {
        String server = hop.name();
        String who = hop.who(settings.user());
        Throwable cause = rootCause(failure);
        if (failure instanceof InterruptedIOException || cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new TransportException(Reason.UNREACHABLE, "Connecting to " + server + " was interrupted", failure);
        }
        SshException ssh = sshException(failure);
        int code = ssh == null ? 0 : ssh.getDisconnectCode();
        if (code == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE) {
            return new TransportException(Reason.HOST_KEY_UNKNOWN, "The host key of " + server
                    + " was not accepted. Check known_hosts.", failure);
        }
        if (code == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
            // MINA's verdict once the server has refused every method it could try.
            return new TransportException(Reason.AUTH_FAILED, "Permission denied for " + who + ": "
                    + identities.describeOffered() + ". Check -i and the server's authorized_keys.", failure);
        }
        boolean keyExchanged = connection.session() != null && connection.session().getServerKey() != null;
        if (keyExchanged) {
            return authenticationBroke(hop, who, connection, identities, failure, cause);
        }
        String reason = describe(cause);
        String hint = reason.toLowerCase(Locale.ROOT).contains("negotiat")
                ? "The server and this client share no algorithm; the server may be very old or locked down."
                : "Is it an SSH server? Its log says more.";
        return new TransportException(Reason.PROTOCOL, "SSH handshake with " + server + " failed: " + reason + ". " + hint,
                failure);
    }

    /**
     * Authentication ended without the server refusing every method: it disconnected, or the
     * connection broke. Only a disconnect for too many authentication failures (sshd's
     * MaxAuthTries) is a refusal of the keys offered.
     */
    private static TransportException authenticationBroke(Hop hop, String who, SshdConnection connection,
            Identities identities, Throwable failure, Throwable cause) {
        Optional<String> disconnect = connection.serverDisconnect(DISCONNECT_WAIT);
        if (disconnect.isPresent()) {
            String text = disconnect.get().isBlank() ? describe(cause) : disconnect.get();
            if (text.toLowerCase(Locale.ROOT).contains("too many authentication failures")) {
                return new TransportException(Reason.AUTH_FAILED, "Permission denied for " + who
                        + ": the server gave up after too many authentication failures (its MaxAuthTries), having refused"
                        + " the keys tried so far (" + identities.describeTried() + "). Offer fewer keys with -i, the"
                        + " right one first.", failure);
            }
            return new TransportException(Reason.PROTOCOL, hop.subject()
                    + " disconnected during authentication: " + text + ". Its log says more.", failure);
        }
        String text = describe(cause);
        if (text.startsWith("Session is") && text.endsWith("closed")) { // MINA's words for an EOF
            text = "the server closed the connection";
        }
        if (isConnectionLoss(failure)) {
            return new TransportException(Reason.UNREACHABLE, "Connection to " + hop.name()
                    + " was lost during authentication (" + text + "): the server or the network went away."
                    + " Try again; if it keeps happening, the server's log says why.", failure);
        }
        return new TransportException(Reason.PROTOCOL, "Authentication with " + hop.name() + " failed: " + text
                + ". Its log says more.", failure);
    }

    /** The session closed under the handshake (EOF, reset) rather than a protocol verdict. */
    private static boolean isConnectionLoss(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String text = text(c);
            if (c instanceof java.io.EOFException || c instanceof java.net.SocketException
                    || text.contains("reset") || text.contains("broken pipe") || text.contains("closed")) {
                return true;
            }
        }
        return false;
    }

    private static SshException sshException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SshException s && s.getDisconnectCode() != 0) {
                return s;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SshException s) {
                return s;
            }
        }
        return null;
    }

    static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String text(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
