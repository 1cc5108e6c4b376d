package caret.transport.jsch;

import caret.spi.Hop;
import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import caret.transport.jsch.byname.Aes128Gcm;
import caret.transport.jsch.byname.Aes256Gcm;
import caret.transport.jsch.byname.ChaCha20Poly1305;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchAlgoNegoFailException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connects, checks the host key and authenticates, within the connect timeout; maps failures to reasons. */
final class Connector {

    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    /**
     * AES-GCM first, as transport-sshd: the JDK runs it with AES-NI intrinsics. The two GCM names
     * and chacha20-poly1305 map to our own {@code byname} ciphers (JSch's construction, the JDK's
     * ChaCha20, and the {@code PacketTap}).
     */
    static final String CIPHERS = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"
            + "aes128-ctr,aes192-ctr,aes256-ctr";

    private Connector() {
    }

    /**
     * Connects directly, or through the settings' jump host: first to the jump host with its own
     * settings, then through a {@code direct-tcpip} channel of that connection ({@link JumpProxy}).
     * The connection returned owns the jump host's connection; a failure closes it.
     */
    static JschConnection connect(ConnectionSettings settings) throws TransportException {
        Optional<ConnectionSettings> jumpSettings = settings.jumpHost();
        if (jumpSettings.isEmpty()) {
            return connect(settings, Hop.direct(settings.server()), null);
        }
        JschConnection jump = connect(jumpSettings.get(), Hop.jumpHost(jumpSettings.get().server()), null);
        try {
            return connect(settings, Hop.through(settings.server(), jump.server()), jump);
        } catch (TransportException | RuntimeException e) {
            jump.close();
            throw e;
        }
    }

    private static JschConnection connect(ConnectionSettings settings, Hop hop, JschConnection jump)
            throws TransportException {
        Endpoint server = settings.server();
        // Through a jump host the name goes to it unresolved, as ssh -J does; directly it is resolved once, here.
        InetAddress address = jump == null ? resolve(hop) : null;
        String host = address == null ? server.host() : address.getHostAddress();
        int timeout = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
        JSch jsch = new JSch();
        Credentials credentials = new Credentials(settings, jsch);
        HostKeys hostKeys = new HostKeys(settings);
        Session session;
        try {
            session = jsch.getSession(settings.user(), host, server.port());
        } catch (JSchException e) {
            throw new TransportException(Reason.PROTOCOL, "Cannot set up a JSch session for " + hop.name() + ": "
                    + describe(e), e);
        }
        JschConnection connection = new JschConnection(settings, session, jump);
        TcpSocketFactory tcp = jump == null ? new TcpSocketFactory(address, timeout, connection) : null;
        JumpProxy tunnel = jump == null ? null : new JumpProxy(jump, server, timeout);
        boolean connected = false;
        try {
            configure(session, settings, credentials, hostKeys, connection);
            if (tunnel == null) {
                session.setSocketFactory(tcp);
            } else {
                session.setProxy(tunnel);
            }
            session.connect(timeout);
            credentials.forget();
            connection.ready();
            connected = true;
            log.debug("Connected to {} as {}", hop.name(), settings.user());
            return connection;
        } catch (JSchException e) {
            if (tunnel != null && tunnel.failure().isPresent()) {
                throw tunnel.failure().get();
            }
            throw hostKeys.failure().map(hop::explain)
                    .orElseGet(() -> failure(settings, hop, tcp, credentials, e));
        } finally {
            if (!connected) {
                credentials.forget();
                connection.abandon();
            }
        }
    }

    private static void configure(Session session, ConnectionSettings settings, Credentials credentials,
            HostKeys hostKeys, JschConnection connection) throws JSchException {
        session.setHostKeyRepository(hostKeys);
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("HashKnownHosts", "no");
        session.setIdentityRepository(credentials);
        session.setUserInfo(credentials);
        session.setConfig("PreferredAuthentications", "publickey,keyboard-interactive,password");
        session.setConfig("cipher.s2c", CIPHERS);
        session.setConfig("cipher.c2s", CIPHERS);
        session.setConfig("aes128-gcm@openssh.com", Aes128Gcm.class.getName());
        session.setConfig("aes256-gcm@openssh.com", Aes256Gcm.class.getName());
        session.setConfig("chacha20-poly1305@openssh.com", ChaCha20Poly1305.class.getName());
        // Plain host keys only: a host certificate would be checked by JSch against its own CA list.
        session.setConfig("server_host_key", Arrays.stream(session.getConfig("server_host_key").split(","))
                .filter(k -> !k.contains("-cert-")).collect(Collectors.joining(",")));
        session.setThreadFactory(connection.threads());
        session.setLogger(connection.jschLog());
        session.setDaemonThread(true);
        if (!settings.keepaliveInterval().isZero()) {
            session.setServerAliveInterval((int) Math.min(Integer.MAX_VALUE, settings.keepaliveInterval().toMillis()));
            session.setServerAliveCountMax(settings.keepaliveCountMax());
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
     * @param tcp the TCP connection's record, or null when the session runs through a jump host
     *     (whose channel failures {@link JumpProxy} reports)
     */
    private static TransportException failure(ConnectionSettings settings, Hop hop, TcpSocketFactory tcp,
            Credentials credentials, JSchException failure) {
        String server = hop.name();
        if (tcp != null && !tcp.connected()) {
            return tcpFailure(settings, hop, tcp.failure() != null ? tcp.failure() : failure);
        }
        Throwable cause = rootCause(failure);
        if (cause instanceof InterruptedIOException && !(cause instanceof SocketTimeoutException)
                || cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new TransportException(Reason.UNREACHABLE, "Connecting to " + server + " was interrupted", failure);
        }
        String text = describe(failure);
        if (text.startsWith("Auth fail") || text.startsWith("Auth cancel")) { // JSch's auth exceptions are not public
            return new TransportException(Reason.AUTH_FAILED, "Permission denied for " + hop.who(settings.user())
                    + ": " + credentials.describeOffered() + ". Check -i and the server's authorized_keys.", failure);
        }
        if (cause instanceof SocketTimeoutException) {
            return new TransportException(Reason.UNREACHABLE, "Connection to " + server + " timed out after "
                    + seconds(settings.connectTimeout())
                    + " during the SSH handshake. Is it an SSH server, and is the network slow? Raise the connect timeout.",
                    failure);
        }
        String reason = failure instanceof JSchAlgoNegoFailException ? text : describe(cause);
        String hint = failure instanceof JSchAlgoNegoFailException || reason.toLowerCase(Locale.ROOT).contains("negotiat")
                ? "The server and this client share no algorithm; the server may be very old or locked down."
                : "Is it an SSH server? Its log says more.";
        return new TransportException(Reason.PROTOCOL, "SSH handshake with " + server + " failed: " + reason + ". " + hint,
                failure);
    }

    private static TransportException tcpFailure(ConnectionSettings settings, Hop hop, Throwable failure) {
        String server = hop.name();
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
            return new TransportException(Reason.UNREACHABLE, "Cannot connect to " + server + ": no answer within "
                    + seconds(settings.connectTimeout()) + ". Is the host up, and does a firewall drop the port?",
                    failure);
        } else if (cause instanceof UnknownHostException) {
            what = "host name " + hop.server().host() + " is unknown";
            hint = "Check its spelling and your DNS.";
        } else {
            what = describe(cause);
            hint = "Is the host reachable, and is the port right (" + hop.portOption() + ")?";
        }
        return new TransportException(Reason.UNREACHABLE, "Cannot connect to " + server + ": " + what + ". " + hint,
                failure);
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
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

    /**
     * The TCP connection to the server, made by us: the address resolved once (as the user named
     * it, never again by JSch), the connect timeout, and a record of whether TCP stood, so that a
     * failure is told apart from a failed handshake.
     */
    private static final class TcpSocketFactory implements SocketFactory {
        private final InetAddress address;
        private final int timeout;
        private final JschConnection connection;
        private volatile boolean connected;
        private volatile IOException failure;

        TcpSocketFactory(InetAddress address, int timeout, JschConnection connection) {
            this.address = address;
            this.timeout = timeout;
            this.connection = connection;
        }

        boolean connected() {
            return connected;
        }

        IOException failure() {
            return failure;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port), timeout);
                connected = true;
                connection.socket(socket);
                return socket;
            } catch (IOException e) {
                failure = e;
                socket.close();
                throw e;
            }
        }

        @Override
        public InputStream getInputStream(Socket socket) throws IOException {
            return connection.stallWatch().input(PromptAcks.of(socket));
        }

        @Override
        public OutputStream getOutputStream(Socket socket) throws IOException {
            return connection.stallWatch().output(socket.getOutputStream());
        }
    }
}
