package caret.transport.sshd;

import caret.spi.ChannelHandler;
import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.RemoteBindException;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.future.GlobalRequestFuture;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live MINA session behind {@link SshConnection}. It travels in the session's connection
 * context ({@link #KEY}), so the shared client's callbacks (host key check, keepalive, incoming
 * {@code forwarded-tcpip} channels, session events) find the connection they belong to.
 */
final class SshdConnection implements SshConnection {

    private static final Logger log = LoggerFactory.getLogger(SshdConnection.class);

    static final AttributeKey<SshdConnection> KEY = new AttributeKey<>();

    /** Session events of every session of the shared client, handed to their connection. */
    static final SessionListener SESSION_EVENTS = new SessionListener() {
        @Override
        public void sessionCreated(Session session) {
            // Called before the session sends its KEXINIT: the last moment to reorder its proposal.
            find(session).ifPresent(c -> c.preferKnownHostKeyTypes(session));
        }

        @Override
        public void sessionException(Session session, Throwable t) {
            find(session).ifPresent(c -> c.failure.compareAndSet(null, t));
        }

        @Override
        public void sessionDisconnect(Session session, int reason, String msg, String language, boolean initiator) {
            if (!initiator) {
                find(session).ifPresent(c -> c.disconnectMessage.compareAndSet(null, msg == null ? "" : msg));
            }
        }

        @Override
        public void sessionClosed(Session session) {
            find(session).ifPresent(SshdConnection::sessionClosed);
        }
    };

    private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long {@link #close()} lets MINA close gracefully (flush queued packets, exchange channel
     * CLOSE) before it drops the socket: long enough for a live server, short enough that a hung
     * one does not hold up Ctrl-C.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final ConnectionSettings settings;
    /** The jump host's connection this one runs through, owned by it once ready; null for a direct one. */
    private final SshdConnection via;
    private final ConnectDeadline deadline;
    private final SharedClient clients;
    private final SshClient client;
    private final Duration requestTimeout;
    private final AtomicReference<TransportException> hostKeyFailure = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> disconnectMessage = new AtomicReference<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final List<Consumer<IOException>> dropListeners = new ArrayList<>();
    private final List<SshdRemoteListen> listens = new CopyOnWriteArrayList<>();
    /** What {@link #awaitingServer} registered: run once the session ends. */
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private volatile ClientSession session;
    private volatile boolean ready;
    private IOException dropCause;

    /**
     * @param via the jump host's connection this one runs through, or null; once ready, this
     *     connection closes it when it closes or drops
     */
    SshdConnection(ConnectionSettings settings, SshdConnection via, ConnectDeadline deadline, SharedClient clients,
            SshClient client) {
        this.settings = settings;
        this.via = via;
        this.deadline = deadline;
        this.clients = clients;
        this.client = client;
        this.requestTimeout = settings.connectTimeout().compareTo(MIN_REQUEST_TIMEOUT) > 0
                ? settings.connectTimeout() : MIN_REQUEST_TIMEOUT;
    }

    /** The connection a session of the shared client belongs to. */
    static SshdConnection of(Session session) {
        return find(session).orElseThrow(() -> new IllegalStateException("Session " + session
                + " was not opened by caret's sshd transport"));
    }

    private static Optional<SshdConnection> find(Session session) {
        return inContext(session, KEY);
    }

    /** What a session of the shared client carries under {@code key} in its connection context. */
    static <T> Optional<T> inContext(Session session, AttributeKey<T> key) {
        if (session instanceof ClientSession client && client.getConnectionContext() != null) {
            return Optional.ofNullable(client.getConnectionContext().getAttribute(key));
        }
        return Optional.empty();
    }

    ConnectionSettings settings() {
        return settings;
    }

    ClientSession session() {
        return session;
    }

    void attach(ClientSession session) {
        this.session = session;
    }

    void ready() {
        ready = true;
        if (!session.isOpen()) {
            sessionClosed(); // it ended before we were ready to notice
        }
    }

    /**
     * Offers the host key algorithms of the key types the verifier already trusts first, so that a
     * server with several host keys shows the known one (OpenSSH's {@code order_hostkeyalgs}).
     */
    private void preferKnownHostKeyTypes(Session session) {
        List<String> known;
        try {
            known = settings.hostKeys().knownKeyTypes(settings.server());
        } catch (RuntimeException e) {
            log.debug("Cannot tell the known host key types of {}: {}", settings.server(), e.toString());
            return;
        }
        if (known == null || known.isEmpty()) {
            return;
        }
        List<NamedFactory<Signature>> ordered = HostKeyOrder.preferring(session.getSignatureFactories(), known);
        session.setSignatureFactories(ordered);
        log.debug("Host key algorithms for {}, known types {} first: {}", settings.server(), known,
                NamedResource.getNames(ordered));
    }

    /**
     * The text of the server's SSH_MSG_DISCONNECT, if it sent one (possibly blank). MINA fails the
     * auth future before it tells session listeners of the disconnect, so this first waits up to
     * {@code max} for the failing session to finish closing.
     */
    Optional<String> serverDisconnect(Duration max) {
        ClientSession s = session;
        if (s != null && disconnectMessage.get() == null) {
            s.waitFor(EnumSet.of(ClientSession.ClientSessionEvent.CLOSED), max);
        }
        return Optional.ofNullable(disconnectMessage.get());
    }

    Optional<TransportException> hostKeyFailure() {
        return Optional.ofNullable(hostKeyFailure.get());
    }

    /**
     * MINA's {@code ServerKeyVerifier}: asks the settings' {@link HostKeyVerifier} and keeps what it
     * threw, so that {@code connect} can throw exactly that instead of MINA's generic error.
     */
    boolean verifyHostKey(PublicKey key) {
        deadline.pause(); // the verifier may ask the user: not the server's time
        try {
            settings.hostKeys().verify(settings.server(), hostKey(key));
            return true;
        } catch (TransportException e) {
            hostKeyFailure.compareAndSet(null, e);
            return false;
        } catch (RuntimeException e) {
            hostKeyFailure.compareAndSet(null, new TransportException(Reason.HOST_KEY_UNKNOWN,
                    "Cannot check the host key of " + settings.server() + ": " + Connector.describe(e), e));
            return false;
        } finally {
            deadline.resume();
        }
    }

    /** The key's type name and its SSH wire-format blob (RFC 4253 6.6), as known_hosts has them. */
    static HostKey hostKey(PublicKey key) {
        ByteArrayBuffer blob = new ByteArrayBuffer();
        blob.putRawPublicKey(key);
        return new HostKey(KeyUtils.getKeyType(key), blob.getCompactData());
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        return open(target, originator, null);
    }

    /**
     * Completes on MINA's reading thread, where the server's answer arrives (or at once when the
     * connection is down, or on the thread that finds the session gone).
     */
    @Override
    public CompletionStage<SshChannel> openChannelAsync(Endpoint target, Endpoint originator) {
        ChannelRequest request;
        try {
            request = request(target, originator);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<SshChannel> opened = new CompletableFuture<>();
        request.answer().addListener(f -> {
            waiting.remove(request.wake());
            try {
                opened.complete(answered(request, target));
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
            }
        });
        return opened;
    }

    /**
     * {@link #openChannel}, waiting at most {@code timeout} for the server's answer (null: no
     * limit); for the channel a session through this jump host runs in.
     *
     * @throws SocketTimeoutException when the server did not answer in time
     */
    SshChannel open(Endpoint target, Endpoint originator, Duration timeout) throws IOException {
        ChannelRequest request = request(target, originator);
        // Not MINA's await: it waits with a timeout even when given none, and a virtual thread's
        // timed wait costs a wake-up of the JDK's timer thread for every channel opened.
        CountDownLatch answered = new CountDownLatch(1);
        request.answer().addListener(f -> answered.countDown());
        try {
            if (timeout == null) {
                answered.await();
            } else if (!answered.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                request.channel().close(true);
                throw new SocketTimeoutException("no answer within " + Connector.seconds(timeout));
            }
        } catch (InterruptedException e) {
            request.channel().close(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while opening a channel to " + target);
        } finally {
            waiting.remove(request.wake());
        }
        return answered(request, target);
    }

    /**
     * A {@code direct-tcpip} channel asked of the server, the server's answer to come, and what
     * fails that answer if the session ends first (MINA does not).
     */
    private record ChannelRequest(DirectChannel channel, OpenFuture answer, Runnable wake) {
    }

    private ChannelRequest request(Endpoint target, Endpoint originator) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(originator, "originator");
        ClientSession s = openSession();
        DirectChannel channel = new DirectChannel(
                new SshdSocketAddress(originator.host(), originator.port()),
                new SshdSocketAddress(target.host(), target.port()));
        s.getService(ConnectionService.class).registerChannel(channel);
        OpenFuture answer = channel.open();
        Runnable wake = () -> answer.setException(lost());
        awaitingServer(s, wake);
        return new ChannelRequest(channel, answer, wake);
    }

    /** The channel once the server answered yes; else closes it and throws what the answer means. */
    private SshChannel answered(ChannelRequest request, Endpoint target) throws IOException {
        DirectChannel channel = request.channel();
        OpenFuture answer = request.answer();
        if (answer.isOpened()) {
            log.debug("Channel {} open to {}", channel.getChannelId(), target);
            return new SshdChannel(channel, channel.writing, channel.input(), channel.output(), "channel to " + target);
        }
        channel.close(true);
        Throwable failed = answer.getException();
        if (failed instanceof SshChannelOpenException refused) {
            String text = refused.getMessage() == null ? "" : refused.getMessage();
            throw new caret.spi.ChannelOpenException(target,
                    caret.spi.ChannelOpenException.classify(refused.getReasonCode(), text), text);
        }
        if (failed instanceof IOException io) {
            throw io;
        }
        throw new IOException("Cannot open a channel to " + target + " on " + settings.server() + ": "
                + Connector.describe(failed), failed);
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(handler, "handler");
        ClientSession s = openSession();
        // Registered before asking, see SshdRemoteListen: no incoming channel may find it missing.
        SshdRemoteListen listen = new SshdRemoteListen(this, bind, handler);
        listens.add(listen);
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        Runnable wake = () -> answered.completeExceptionally(lost());
        awaitingServer(s, wake);
        try {
            // The reply handler runs on MINA's I/O thread, before it reads the packet after the reply.
            GlobalRequestFuture sent = s.request(forwardRequest(s, "tcpip-forward", bind.host(), bind.port()),
                    "tcpip-forward", (cmd, reply) -> answer(listen, answered, cmd, reply));
            sent.addListener(f -> {
                if (f.getException() != null) {
                    answered.completeExceptionally(f.getException());
                }
            });
            if (!awaitAnswer(answered, listen)) {
                throw new RemoteBindException(settings.server(), bind);
            }
        } catch (IOException e) {
            if (listen.abandon() || !isOpen()) {
                listens.remove(listen);
                throw isOpen() ? e : lost();
            }
            // Granted just as we gave up (timeout, interrupt): keep it.
        } catch (RuntimeException e) {
            listens.remove(listen);
            listen.close(); // cancels it if the server granted it meanwhile
            throw e;
        } finally {
            waiting.remove(wake);
        }
        log.debug("Server {} listens on {}", settings.server(), listen.bound());
        return listen;
    }

    /**
     * Registers {@code wake} to run when the session ends while a caller waits for the server's
     * answer, and runs it at once when the session is already ending; the caller removes it once
     * answered. Not a listener on the session's close future: MINA's futures keep every listener
     * ever added in an array that only grows (a removed one leaves a null behind), so a listener
     * per channel made each channel open copy and scan one slot per channel opened before it.
     */
    private void awaitingServer(ClientSession s, Runnable wake) {
        waiting.add(wake);
        if (!s.isOpen()) { // sessionClosed may have run before the add
            wake.run();
        }
    }

    /** The server's answer to {@code tcpip-forward}, on MINA's I/O thread. */
    private void answer(SshdRemoteListen listen, CompletableFuture<Boolean> answered, int cmd, Buffer reply) {
        if (cmd != SshConstants.SSH_MSG_REQUEST_SUCCESS) {
            answered.complete(false);
            return;
        }
        // The reply carries the port only when we asked for port 0 (RFC 4254 7.1).
        int port = listen.requested().port() != 0 ? listen.requested().port() : (int) reply.getUInt();
        if (listen.granted(port)) {
            answered.complete(true);
        } else {
            // The caller gave up waiting: the server listens for nobody.
            listens.remove(listen);
            log.debug("Server {} granted {} after we gave up on it: cancelling", settings.server(), listen.requested());
            sendCancel(listen.requested().host(), port);
        }
    }

    /** Waits for the answer; true when granted, false when refused. */
    private boolean awaitAnswer(CompletableFuture<Boolean> answered, SshdRemoteListen listen) throws IOException {
        try {
            return answered.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("Server " + settings.server() + " did not answer the request to listen on "
                    + listen.requested() + " within " + requestTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("Cannot ask " + settings.server() + " to listen on " + listen.requested() + ": "
                    + Connector.describe(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while asking " + settings.server() + " to listen on "
                    + listen.requested());
        }
    }

    /**
     * Forgets the listen and sends {@code cancel-tcpip-forward} without waiting for the answer: a
     * hung server must not hold up closing, and channels for the port are refused from now on
     * anyway. Nothing is sent once the connection is closed or closing. Never throws.
     */
    void cancel(SshdRemoteListen listen) {
        listens.remove(listen);
        Endpoint bound = listen.bound();
        sendCancel(listen.requested().host(), bound.port());
    }

    private void sendCancel(String host, int port) {
        ClientSession s = session;
        if (s == null || !s.isOpen() || s.isClosing() || closing.get()) {
            return;
        }
        try {
            s.request(forwardRequest(s, "cancel-tcpip-forward", host, port), "cancel-tcpip-forward", (cmd, reply) -> {
                if (cmd != SshConstants.SSH_MSG_REQUEST_SUCCESS) {
                    log.warn("Server {} refused to stop listening on {}", settings.server(), new Endpoint(host, port));
                }
            });
        } catch (IOException e) {
            log.debug("cancel-tcpip-forward {}:{} on {} failed: {}", host, port, settings.server(), e.toString());
        }
    }

    private static Buffer forwardRequest(ClientSession s, String name, String host, int port) {
        Buffer buffer = s.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, name.length() + host.length() + 32);
        buffer.putString(name);
        buffer.putBoolean(true);
        buffer.putString(host);
        buffer.putUInt(port);
        return buffer;
    }

    /**
     * The listen an incoming {@code forwarded-tcpip} channel names: the same address and port, else
     * the only listen on that port (servers may name the address as they bound it).
     */
    Optional<SshdRemoteListen> listenFor(String address, int port) {
        SshdRemoteListen onPort = null;
        int sharing = 0;
        for (SshdRemoteListen listen : listens) {
            Endpoint bound = listen.boundOrNull();
            if (bound == null || bound.port() != port) {
                continue;
            }
            if (bound.host().equalsIgnoreCase(new Endpoint(address.isBlank() ? "?" : address, port).host())) {
                return Optional.of(listen);
            }
            onPort = listen;
            sharing++;
        }
        return sharing == 1 ? Optional.of(onPort) : Optional.empty();
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
        ClientSession s = session;
        return ready && !closing.get() && s != null && s.isOpen() && !s.isClosing();
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
        ClientSession s = session;
        if (s != null) {
            try {
                if (!s.close(false).await(CLOSE_TIMEOUT)) {
                    s.close(true);
                }
            } catch (IOException e) {
                log.debug("Closing the session to {} was interrupted", settings.server());
                s.close(true);
                Thread.currentThread().interrupt();
            }
        }
        release();
        log.debug("Connection to {} closed", settings.server());
        if (via != null) {
            via.close();
        }
    }

    /** Ends a connection attempt that failed; the session, if any, is dropped at once. */
    void abandon() {
        closing.set(true);
        ClientSession s = session;
        if (s != null) {
            s.close(true);
        }
        release();
    }

    private void sessionClosed() {
        waiting.forEach(Runnable::run);
        listens.clear();
        IOException cause = lost();
        List<Consumer<IOException>> listeners;
        synchronized (dropListeners) {
            if (closing.get() || !ready || dropCause != null) {
                return; // close() or the failed connect releases the client
            }
            dropCause = cause;
            listeners = List.copyOf(dropListeners);
            dropListeners.clear();
        }
        log.debug("{}", cause.getMessage());
        // Not on this MINA thread: a listener may reconnect or close, and stopping the shared
        // client would wait for this very thread.
        Thread.ofVirtual().name("caret-sshd-drop").start(() -> {
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
            release();
        });
    }

    /** Gives the shared client back, once; never on a MINA thread (it may stop the client). */
    private void release() {
        if (released.compareAndSet(false, true)) {
            clients.release(client);
        }
    }

    private ClientSession openSession() throws IOException {
        ClientSession s = session;
        if (closing.get()) {
            throw new IOException("The connection to " + settings.server() + " is closed");
        }
        if (s == null || !s.isOpen() || s.isClosing()) {
            throw lost();
        }
        return s;
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
            String text = Connector.describe(Connector.rootCause(t));
            if (text.contains("heartbeat") && text.contains("without reply")) {
                why = "the server did not answer " + settings.keepaliveCountMax() + " keepalive probes, one every "
                        + settings.keepaliveInterval().toSeconds() + " s; the network or the server is down";
            } else {
                why = text;
            }
        } else if (disconnectMessage.get() != null && !disconnectMessage.get().isBlank()) {
            why = "the server disconnected: " + disconnectMessage.get();
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
     * Whether the session ended or is ending. MINA marks a session closing before it closes its
     * channels, so a connection run through one of them finds this true once its channel ended.
     */
    private boolean hasEnded() {
        ClientSession s = session;
        return closing.get() || s == null || !s.isOpen() || s.isClosing();
    }

    @Override
    public String toString() {
        return "sshd connection " + settings.user() + "@" + settings.server()
                + (via == null ? "" : " via " + via.settings.user() + "@" + via.server());
    }
}
