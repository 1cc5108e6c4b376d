package caret.transport.jsch;

import caret.spi.ChannelHandler;
import caret.spi.ChannelOpenException;
import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.spi.RemoteBindException;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.transport.jsch.byname.ForwardedDaemon;
import caret.transport.jsch.byname.PacketTap;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelDirectTCPIP;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One live JSch session behind {@link SshConnection}. */
final class JschConnection implements SshConnection {

    private static final Logger log = LoggerFactory.getLogger(JschConnection.class);

    /** How long a channel open may wait for the server's answer (a connect to a silent host takes ~2 min). */
    private static final int OPEN_TIMEOUT_MS = (int) TimeUnit.MINUTES.toMillis(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The window and largest packet a channel we open offers the server: OpenSSH's own client's
     * sizes, where JSch's {@code direct-tcpip} channel offers 128 KiB and 16 KiB. With 128 KiB the
     * server sends 64 KiB at a time and waits for our {@code WINDOW_ADJUST}: 350-470 MB/s down on
     * loopback where ssh moved 750-930, and 580-830 with these. Unread input stays bounded by
     * {@link Inbound} (1 MiB).
     */
    static final int CHANNEL_WINDOW = 2 * 1024 * 1024;
    static final int CHANNEL_PACKET = 32 * 1024;
    private static final String DAEMON = ForwardedDaemon.class.getName();
    private static final int PORT_ZERO_ATTEMPTS = 3;

    /** Takes no connection: JSch answers "open failed" for a connection to a port-0 probe. */
    private static final SocketFactory REFUSE = new SocketFactory() {
        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new IOException("this port is being set up");
        }

        @Override
        public InputStream getInputStream(Socket socket) throws IOException {
            throw new IOException("unused");
        }

        @Override
        public OutputStream getOutputStream(Socket socket) throws IOException {
            throw new IOException("unused");
        }
    };

    private final ConnectionSettings settings;
    /** The jump host's connection this one runs through, owned by it; null for a direct one. */
    private final JschConnection via;
    private final Session session;
    private final SessionThreads threads;
    private final JschLog jschLog;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Consumer<IOException>> dropListeners = new ArrayList<>();
    private final Set<Channel> opening = ConcurrentHashMap.newKeySet();
    private final Set<JschRemoteListen> listens = ConcurrentHashMap.newKeySet();
    private final ReentrantLock listenLock = new ReentrantLock();
    private final AtomicLong probes = new AtomicLong();
    private volatile Socket socket;
    private final StallWatch stallWatch = new StallWatch();
    private volatile boolean ready;
    private volatile boolean sessionEnded;
    private IOException dropCause;

    /**
     * @param via the jump host's connection this one runs through, or null; once connected, this
     *     connection closes it when it closes or drops
     */
    JschConnection(ConnectionSettings settings, Session session, JschConnection via) {
        this.settings = settings;
        this.via = via;
        this.session = session;
        this.threads = new SessionThreads(settings.user() + "@" + settings.server(), this::sessionEnded);
        this.jschLog = new JschLog(settings.server(), failure);
    }

    SessionThreads threads() {
        return threads;
    }

    /**
     * What one packet of this connection's channels carries ({@link JschChannel#PACKET_DATA}).
     * Through a jump host each of this session's packets is one write to a channel of the jump
     * host's connection: it goes out there as one packet if it fits, so channels here carry less
     * by that packet's overhead.
     */
    int packetDataSize() {
        return via == null ? JschChannel.PACKET_DATA : via.packetDataSize() - JschChannel.PACKET_OVERHEAD;
    }

    JschLog jschLog() {
        return jschLog;
    }

    /** The TCP connection under the session, made by {@link Connector}. */
    void socket(Socket socket) {
        this.socket = socket;
    }

    /** Watches that TCP connection's streams. */
    StallWatch stallWatch() {
        return stallWatch;
    }

    private void closeSocket() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("Closing the socket to {} failed: {}", settings.server(), e.toString());
            }
        }
    }

    void ready() {
        ready = true;
        if (socket != null && !settings.keepaliveInterval().isZero()) {
            // As long as JSch's keepalive gives up on a server that does not answer, plus one probe.
            Duration limit = settings.keepaliveInterval().multipliedBy(settings.keepaliveCountMax() + 1L);
            stallWatch.start(limit, () -> !hasEnded(), () -> {
                failure.compareAndSet(null, new SocketTimeoutException("no answer from " + settings.server()
                        + " for " + Connector.seconds(limit) + " while a write to it was blocked"));
                closeSocket(); // JSch's session thread then ends, and the drop is told
            });
        }
        if (sessionEnded || !session.isConnected()) {
            sessionEnded(); // it ended before we were ready to notice
        }
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        return open(target, originator, OPEN_TIMEOUT_MS);
    }

    /**
     * Opens a {@code direct-tcpip} channel, waiting at most {@code timeoutMillis} for the server's
     * answer; {@link #openChannel} with a timeout of one's own, and the channel's own type.
     */
    JschChannel open(Endpoint target, Endpoint originator, int timeoutMillis) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(originator, "originator");
        checkOpen();
        ChannelDirectTCPIP channel;
        try {
            channel = (ChannelDirectTCPIP) session.openChannel("direct-tcpip");
        } catch (JSchException e) {
            throw isOpen() ? new IOException("Cannot open a channel on " + settings.server() + ": " + Connector.describe(e), e)
                    : unusable();
        }
        if (channel == null) { // JSch returns null while the session is disconnecting
            throw unusable();
        }
        channel.setHost(target.host());
        channel.setPort(target.port());
        channel.setOrgIPAddress(originator.host());
        channel.setOrgPort(originator.port());
        try {
            channel.setLocalWindowSizeMax(CHANNEL_WINDOW); // also the initial window
            channel.setLocalPacketSize(CHANNEL_PACKET);
        } catch (JSchException e) { // JSch refuses only once the channel is open
            throw new IllegalStateException("JSch refused the window of a channel not yet open", e);
        }
        String name = "channel to " + target;
        Inbound in = new Inbound(channel, name);
        channel.setOutputStream(in); // no input stream: JSch opens synchronously and starts no thread
        PacketTap.expect(channel.getId());
        opening.add(channel);
        long start = System.nanoTime();
        JSchException failed = null;
        String text;
        try {
            channel.connect(timeoutMillis);
        } catch (JSchException e) {
            failed = e;
        } finally {
            opening.remove(channel);
            text = PacketTap.take(channel.getId()).orElse("");
        }
        // Opened, or opened and closed again by the server already (its destination hung up at
        // once): then reading gives what arrived and writing fails, as for any channel the server
        // closes. (JSch also returns normally when it swallowed an error; that leaves it neither.)
        if (failed == null && (channel.isConnected() || channel.isClosed())) {
            log.debug("Channel {} open to {}", channel.getId(), target);
            return new JschChannel(channel, in, channel.getOutputStream(), name, packetDataSize());
        }
        int code = channel.getExitStatus(); // JSch keeps the open failure's reason code here
        if (code > 0) {
            throw new ChannelOpenException(target, ChannelOpenException.classify(code, text), text);
        }
        if (!isOpen()) {
            throw unusable();
        }
        if (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            Thread.currentThread().interrupt(); // JSch swallowed it: an interrupt ends its wait early
            throw new InterruptedIOException("Interrupted while opening a channel to " + target);
        }
        throw new SocketTimeoutException("Server " + settings.server() + " did not answer a channel open to " + target
                + " within " + Connector.seconds(Duration.ofMillis(timeoutMillis)));
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        JschRemoteListen listen = new JschRemoteListen(this, bind, handler);
        try {
            listenLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting to listen on " + bind);
        }
        try {
            // JSch wakes the requesting thread with Thread.interrupt() when the reply comes, and may
            // leave the flag set: let a thread of its own take that.
            offThread("caret-jsch-tcpip-forward", () -> register(bind, listen));
        } finally {
            listenLock.unlock();
        }
        listens.add(listen);
        log.debug("Server {} listens on {}", settings.server(), listen.bound());
        return listen;
    }

    /**
     * {@code tcpip-forward} with JSch routing the port's channels to {@link ForwardedDaemon}. JSch
     * registers a daemon under the port asked for, so with port 0 its channels (which name the
     * allocated port) find nothing. For port 0 the allocated port is learnt first, from a request
     * whose channels JSch refuses ({@link #REFUSE}); that port is released and asked for again by
     * number, with the daemon. Done before listen() returns, so no client knows the port yet; if
     * another program takes it in between, it starts over.
     */
    private Void register(Endpoint bind, JschRemoteListen listen) throws IOException {
        String host = bind.host();
        Object[] arg = {listen};
        try {
            if (bind.port() != 0) {
                session.setPortForwardingR(host, bind.port(), DAEMON, arg);
                return null;
            }
            for (int attempt = 1; attempt <= PORT_ZERO_ATTEMPTS; attempt++) {
                String token = "caret-port-probe-" + probes.incrementAndGet();
                session.setPortForwardingR(host, 0, token, 0, REFUSE);
                int port = allocatedPort(token);
                session.delPortForwardingR(host, port);
                listen.bound(port);
                try {
                    session.setPortForwardingR(host, port, DAEMON, arg);
                    return null;
                } catch (JSchException taken) {
                    if (!session.isConnected()) {
                        throw taken;
                    }
                    log.debug("Port {} on {} was taken before it could be listened on again; retrying", port,
                            settings.server());
                }
            }
            throw new RemoteBindException(settings.server(), bind);
        } catch (JSchException e) {
            if (!isOpen()) {
                throw unusable();
            }
            log.debug("tcpip-forward {} on {} refused: {}", bind, settings.server(), e.getMessage());
            throw new RemoteBindException(settings.server(), bind);
        }
    }

    private int allocatedPort(String token) throws JSchException {
        for (String entry : session.getPortForwardingR()) { // "allocated:target:port"
            String[] fields = entry.split(":");
            if (fields.length == 3 && fields[1].equals(token)) {
                return Integer.parseInt(fields[0]);
            }
        }
        throw new JSchException("JSch did not record the port the server allocated");
    }

    /** Sends {@code cancel-tcpip-forward} (without reply, as JSch does) and forgets the listen; never throws. */
    void cancel(JschRemoteListen listen) {
        listens.remove(listen);
        if (closing.get() || !session.isConnected()) {
            return;
        }
        try {
            session.delPortForwardingR(listen.requested().host(), listen.bound().port());
        } catch (JSchException e) {
            log.debug("cancel-tcpip-forward {} on {} failed: {}", listen.bound(), settings.server(), e.toString());
        }
    }

    private static void offThread(String name, Callable<?> task) throws IOException {
        FutureTask<?> future = new FutureTask<>(task);
        Thread.ofVirtual().name(name).start(future);
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the server's answer");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(Connector.describe(e.getCause()), e.getCause());
        }
    }

    @Override
    public void onDrop(Consumer<IOException> listener) {
        Objects.requireNonNull(listener, "listener");
        IOException cause;
        synchronized (dropListeners) {
            cause = dropCause;
            if (cause == null) {
                dropListeners.add(listener);
                return;
            }
        }
        listener.accept(cause);
    }

    @Override
    public boolean isOpen() {
        return ready && !closing.get() && !sessionEnded && session.isConnected();
    }

    @Override
    public Endpoint server() {
        return settings.server();
    }

    @Override
    public void close() {
        synchronized (dropListeners) { // a drop either happened before this close or is no drop
            if (!closing.compareAndSet(false, true)) {
                return;
            }
        }
        disconnect();
        log.debug("Connection to {} closed", settings.server());
        if (via != null) {
            via.close();
        }
    }

    /** Ends a connection attempt that failed. */
    void abandon() {
        closing.set(true);
        disconnect();
    }

    /**
     * JSch's {@code disconnect()} sends CLOSE for every channel under the session's write lock; if a
     * writer holds that lock in a socket write the server does not take (a hung server), it waits.
     * Bounded here: after {@link #CLOSE_TIMEOUT} the socket is closed under it.
     */
    private void disconnect() {
        Thread closer = Thread.ofVirtual().name("caret-jsch-disconnect").start(session::disconnect);
        try {
            if (!closer.join(CLOSE_TIMEOUT)) {
                log.warn("Closing the connection to {} takes longer than {}; dropping it", settings.server(),
                        Connector.seconds(CLOSE_TIMEOUT));
                closeSocket();
                closer.join(CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The end of JSch's session thread: the connection is gone. */
    private void sessionEnded() {
        sessionEnded = true;
        for (Channel channel : opening) {
            synchronized (channel) {
                channel.notifyAll(); // JSch's channel open waits on the channel and no one else wakes it
            }
        }
        listens.clear();
        List<Consumer<IOException>> listeners;
        IOException cause;
        synchronized (dropListeners) {
            if (closing.get() || !ready || dropCause != null) {
                return;
            }
            cause = lost();
            dropCause = cause;
            listeners = List.copyOf(dropListeners);
            dropListeners.clear();
        }
        log.debug("{}", cause.getMessage());
        Thread.ofVirtual().name("caret-jsch-drop").start(() -> {
            if (via != null) {
                via.close();
            }
            for (Consumer<IOException> listener : listeners) {
                try {
                    listener.accept(cause);
                } catch (RuntimeException e) {
                    log.warn("A drop listener of the connection to {} failed", settings.server(), e);
                }
            }
        });
    }

    private void checkOpen() throws IOException {
        if (!isOpen()) {
            throw unusable();
        }
    }

    private IOException unusable() {
        if (closing.get()) {
            return new IOException("The connection to " + settings.server() + " is closed");
        }
        synchronized (dropListeners) {
            return dropCause != null ? dropCause : lost();
        }
    }

    /** Why the session ended, in words: {@code Connection to 127.0.0.1:2222 lost: ...}. */
    IOException lost() {
        Throwable t = failure.get();
        IOException e = new IOException("Connection to " + settings.server() + " lost: " + why());
        if (t != null) {
            e.initCause(t);
        }
        return e;
    }

    /**
     * Why the session ended, without the server's name. Through a jump host whose connection
     * ended, that is the reason: the channel this session ran in ended with it.
     */
    private String why() {
        if (via != null && via.hasEnded()) {
            return "the connection to jump host " + via.server() + " was lost (" + via.why() + ")";
        }
        Throwable t = failure.get();
        String why;
        if (t != null) {
            Throwable root = Connector.rootCause(t);
            String text = Connector.describe(root);
            if (root instanceof SocketTimeoutException && !settings.keepaliveInterval().isZero()) {
                why = "the server did not answer " + settings.keepaliveCountMax() + " keepalive probes, one every "
                        + Connector.seconds(settings.keepaliveInterval()) + "; the network or the server is down";
            } else if (text.contains("End of IO Stream Read")) {
                why = "the server closed the connection";
            } else {
                why = text;
            }
        } else {
            why = "the server closed the connection";
        }
        String lower = why.toLowerCase(Locale.ROOT);
        if (lower.contains("reset") || lower.contains("broken pipe")) {
            why = why + " (the server or the network went away)";
        }
        return why;
    }

    /**
     * Whether the session ended or is ending. JSch records the exception that ends its session
     * thread before it closes the session's channels, so a connection run through one of them
     * finds this true once its channel ended.
     */
    private boolean hasEnded() {
        return closing.get() || sessionEnded || failure.get() != null || !session.isConnected();
    }

    @Override
    public String toString() {
        return "jsch connection " + settings.user() + "@" + settings.server()
                + (via == null ? "" : " via " + via.settings.user() + "@" + via.server());
    }

    /**
     * JSch's log, to SLF4J at DEBUG; and the exception that ended the session thread ("Caught an
     * exception, leaving main loop", logged at INFO), kept as the drop's cause.
     */
    static final class JschLog implements com.jcraft.jsch.Logger {
        private static final Logger jsch = LoggerFactory.getLogger("com.jcraft.jsch");
        private static final String LEAVING = "Caught an exception, leaving main loop";

        private final Endpoint server;
        private final AtomicReference<Throwable> failure;

        JschLog(Endpoint server, AtomicReference<Throwable> failure) {
            this.server = server;
            this.failure = failure;
        }

        @Override
        public boolean isEnabled(int level) {
            return level >= INFO || jsch.isTraceEnabled();
        }

        @Override
        public void log(int level, String message) {
            log(level, message, null);
        }

        @Override
        public void log(int level, String message, Throwable cause) {
            if (cause != null && message != null && message.startsWith(LEAVING)) {
                failure.compareAndSet(null, cause);
            }
            if (level == DEBUG) {
                jsch.trace("[{}] {}", server, message, cause);
            } else {
                jsch.debug("[{}] {}", server, message, cause);
            }
        }
    }
}
