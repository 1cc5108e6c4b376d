package caret.core;

import caret.core.pump.Pump;
import caret.core.pump.Traffic;
import caret.spi.ConnectionHandler;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.RunningForward;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one forward, and the engine's services to its type: listeners, pumps, counters,
 * state, events. Everything created through it is released by {@link #stop}.
 */
final class ForwardRunner implements ForwardContext {

    private static final Logger log = LoggerFactory.getLogger(ForwardRunner.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final Duration ACCEPTOR_EXIT = Duration.ofSeconds(5);
    private static final Duration ACCEPT_RETRY_MIN = Duration.ofMillis(50);
    private static final Duration ACCEPT_RETRY_MAX = Duration.ofSeconds(1);

    private final String server;
    private final String name;
    private final ForwardType type;
    private final ForwardSpec spec;
    private final ForwardView connection;
    private final Consumer<ForwardEvent> events;
    private final Traffic traffic = new Traffic();
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private final List<Thread> acceptors = new CopyOnWriteArrayList<>();
    private final Set<Socket> unclaimed = ConcurrentHashMap.newKeySet();
    /** Sockets whose channel is being opened ({@link #pumpWhenOpen}): the engine's to close on stop. */
    private final Set<Socket> opening = ConcurrentHashMap.newKeySet();
    private final Set<Pump> pumps = ConcurrentHashMap.newKeySet();
    /** Weak: a plugin that dials and then fails before it pumps leaves nothing here. */
    private final Set<Socket> dialed = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Object lock = new Object();

    private ForwardState state = ForwardState.STARTING;
    private RunningForward running;
    private Endpoint movedTo;
    private Thread restorer;
    private volatile String lastError;

    /**
     * @param server the server's name, for events
     * @param name the forward's name, for log lines and events
     * @param retry the backoff for listening on the server again after a reconnect
     */
    ForwardRunner(String server, String name, ForwardType type, ForwardSpec spec, Link link, Reconnect retry,
            Consumer<ForwardEvent> events) {
        this.server = server;
        this.name = name;
        this.type = type;
        this.spec = spec;
        this.connection = new ForwardView(link, name, retry);
        this.events = events;
    }

    /** Starts the forward; on failure nothing of it is left running. */
    void start() throws ForwardException {
        events.accept(new ForwardEvent.Starting(server, name));
        RunningForward started;
        try {
            started = type.start(spec, this);
        } catch (ForwardException e) {
            fail(e);
            throw e;
        } catch (RuntimeException e) {
            ForwardException wrapped = new ForwardException(ForwardException.Reason.PLUGIN_FAILED,
                    "Forward type '" + type.id() + "' (" + type.getClass().getName() + ") failed to start "
                            + spec.text() + ": " + e + "; report this to the plugin's authors", e);
            fail(wrapped);
            throw wrapped;
        }
        synchronized (lock) {
            if (state != ForwardState.STARTING) { // stopped while starting
                started.stop().run();
                return;
            }
            running = started;
            state = ForwardState.READY;
        }
        log.info("[{}] ready on {}{}", name, started.address(), started.onServer() ? " (on the server)" : "");
        events.accept(new ForwardEvent.Ready(server, name, started.address(), started.onServer()));
    }

    /**
     * Stops the forward: the type's own resources, then listeners and connections. Idempotent.
     *
     * @param cause why, when it was not the user; {@code null} otherwise
     */
    void stop(String cause) {
        RunningForward toStop;
        synchronized (lock) {
            if (state == ForwardState.STOPPED || state == ForwardState.FAILED) {
                return;
            }
            state = cause == null ? ForwardState.STOPPED : ForwardState.FAILED;
            toStop = running;
            if (cause != null) {
                lastError = cause;
            }
            if (restorer != null) {
                restorer.interrupt();
            }
        }
        events.accept(new ForwardEvent.Stopping(server, name));
        if (toStop != null) {
            try {
                toStop.stop().run();
            } catch (RuntimeException e) { // a plugin's bug must not keep the engine's ports and connections
                log.warn("[{}] forward type '{}' failed to stop: {}; report this to the plugin's authors", name, type.id(), e, e);
            }
        }
        releaseAll();
        log.info("[{}] stopped{}", name, cause == null ? "" : ": " + cause);
        events.accept(new ForwardEvent.Stopped(server, name, cause));
    }

    /**
     * The SSH connection is gone: connections in flight end, listeners on this machine keep their
     * ports, and the forward waits for {@link #resume}.
     */
    void suspend(String reason) {
        synchronized (lock) {
            if (state != ForwardState.READY && state != ForwardState.WAITING) {
                return;
            }
            state = ForwardState.WAITING;
            lastError = reason;
            if (restorer != null) {
                restorer.interrupt();
            }
        }
        pumps.forEach(Pump::close);
        log.info("[{}] waiting: {}", name, reason);
        events.accept(new ForwardEvent.Waiting(server, name, reason));
    }

    /**
     * A new SSH connection is live: the forward is ready again once its remote listens, if any,
     * are back on the server; meanwhile it waits, retrying, without holding up other forwards.
     */
    void resume() {
        synchronized (lock) {
            if (state != ForwardState.WAITING) {
                return;
            }
            if (connection.listensOnServer()) {
                restorer = Thread.ofVirtual().name("caret-restore").start(this::restore);
                return;
            }
        }
        readyAgain();
    }

    private void restore() {
        try {
            boolean back = connection.restore(this::waitingFor, bound -> {
                synchronized (lock) {
                    movedTo = bound;
                }
                notice("Allocated port " + bound.port() + " for remote forward to " + spec.destination().map(Endpoint::toString).orElse(spec.text())
                        + " (the server did not give back port " + running.address().port() + ")");
            });
            if (back) {
                readyAgain();
            }
        } catch (InterruptedException stoppedOrLostAgain) {
            log.debug("[{}] restore interrupted", name);
        }
    }

    private void waitingFor(String reason) {
        synchronized (lock) {
            if (state != ForwardState.WAITING) {
                return;
            }
            lastError = reason;
        }
        log.info("[{}] {}", name, reason);
        events.accept(new ForwardEvent.Waiting(server, name, reason));
    }

    /** From waiting to ready, unless stopped meanwhile; the event goes out after the lock is released. */
    private void readyAgain() {
        Endpoint address;
        synchronized (lock) {
            if (state != ForwardState.WAITING) {
                return;
            }
            state = ForwardState.READY;
            address = address();
        }
        log.info("[{}] ready again on {}{}", name, address, running.onServer() ? " (on the server)" : "");
        events.accept(new ForwardEvent.Ready(server, name, address, running.onServer()));
    }

    /** Called holding the lock. */
    private Endpoint address() {
        return movedTo != null ? movedTo : running == null ? null : running.address();
    }

    ForwardState state() {
        synchronized (lock) {
            return state;
        }
    }

    ForwardStatus status() {
        synchronized (lock) {
            return new ForwardStatus(name, spec, state,
                    address(),
                    running != null && running.onServer(),
                    traffic.openConnections(), traffic.bytesToServer(), traffic.bytesFromServer(), lastError);
        }
    }

    ForwardSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SshConnection connection() {
        return connection;
    }

    @Override
    public Endpoint serve(String bindAddress, int port, ConnectionHandler handler) throws ForwardException {
        ServerSocket server = LocalBind.bind(bindAddress, port);
        listeners.add(server);
        if (isStopped()) {
            releaseAll();
            throw new ForwardException(ForwardException.Reason.CONNECTION_LOST,
                    "[" + name + "] was stopped while starting", null);
        }
        Endpoint bound = LocalBind.endpoint(server);
        if (LocalBind.isExposed(server.getInetAddress())) {
            log.warn("[{}] listening on {}: reachable from other machines, not only this one;"
                    + " bind 127.0.0.1 unless that is what you want", name, bound);
        }
        // A platform thread: the kernel wakes it when a connection comes, where a virtual thread is
        // woken by the JDK's poller thread, one more thread woken for each connection.
        acceptors.add(Thread.ofPlatform().daemon().name("caret-accept").start(() -> accept(server, handler)));
        return bound;
    }

    @Override
    public Socket connect(Endpoint target) throws IOException {
        Socket socket = SocketChannel.open().socket(); // with a channel: the pump can run it without blocking
        dialed.add(socket); // a destination: its breaks are news (see pump)
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            dialed.remove(socket);
            socket.close();
            throw e;
        }
    }

    /**
     * A socket this forward dialed ({@link #connect}) leads to the destination; one it accepted
     * leads to an application, and then the destination is beyond the channel. A break on the
     * destination's side is told as the forward's last error, unless the whole connection to the
     * server went: that is the server's to report, once.
     */
    @Override
    public void pump(Socket socket, SshChannel channel, byte[] pending) {
        unclaimed.remove(socket);
        Pump.Side destination = dialed.remove(socket) ? Pump.Side.SOCKET : Pump.Side.CHANNEL;
        Pump pump = new Pump(name, socket, channel, pending, traffic, pumps::remove, destination, (message, cause) -> {
            if (connection.isOpen()) {
                connectionFailed(message, cause);
            }
        });
        pumps.add(pump);
        ConnectionThread here = ConnectionThread.CURRENT.get();
        if (here != null && here.socket == socket && here.toServer == null) {
            here.toServer = pump.startFromServer(); // run by handle() once the handler returns
        } else {
            pump.start();
        }
        if (isStopped()) {
            pump.close();
        }
    }

    @Override
    public void pumpWhenOpen(Socket socket, CompletionStage<? extends SshChannel> channel, byte[] pending) {
        opening.add(socket);
        unclaimed.remove(socket);
        byte[] bytes = pending.clone();
        channel.whenComplete((opened, failure) -> {
            if (!opening.remove(socket)) { // stopped meanwhile, and the socket closed
                if (opened != null) {
                    opened.close();
                }
                return;
            }
            if (failure == null) {
                pump(socket, opened, bytes);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            connectionFailed("connection from " + socket.getInetAddress().getHostAddress() + ":" + socket.getPort()
                    + ": " + describe(cause), cause); // after a stop: only at debug level
            closeQuietly(socket);
        });
    }

    @Override
    public void connectionFailed(String message, Throwable cause) {
        if (isStopped()) { // a connection cut off by stop() is no failure to report
            log.debug("[{}] after stop: {}", name, message);
            return;
        }
        lastError = message;
        log.warn("[{}] {}", name, message);
        if (cause != null) {
            log.debug("[{}] cause", name, cause);
        }
        events.accept(new ForwardEvent.ConnectionFailed(server, name, message));
    }

    @Override
    public void notice(String message) {
        log.info("[{}] {}", name, message);
        events.accept(new ForwardEvent.Notice(server, name, message));
    }

    private void accept(ServerSocket server, ConnectionHandler handler) {
        Duration backoff = Duration.ZERO;
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
                backoff = Duration.ZERO;
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                // Out of file descriptors, or the like: wait a little and go on; the listener keeps its port.
                backoff = backoff.isZero() ? ACCEPT_RETRY_MIN : min(backoff.multipliedBy(2), ACCEPT_RETRY_MAX);
                if (backoff.equals(ACCEPT_RETRY_MIN)) {
                    connectionFailed("cannot accept connections on " + LocalBind.endpoint(server) + ": " + e.getMessage()
                            + "; retrying (too many open files? raise 'ulimit -n')", e);
                }
                LockSupport.parkNanos(backoff.toNanos());
                continue;
            }
            unclaimed.add(socket);
            if (isStopped()) {
                closeUnclaimed(socket);
                return;
            }
            if (handler.blocks()) {
                Thread.ofVirtual().name("caret-connection").start(() -> handle(socket, handler));
            } else {
                handleHere(socket, handler);
            }
        }
    }

    /** Runs a handler that may block, on the connection's own thread, which may carry a direction after it. */
    private void handle(Socket socket, ConnectionHandler handler) {
        ConnectionThread here = new ConnectionThread(socket);
        ConnectionThread.CURRENT.set(here);
        try {
            handleHere(socket, handler);
        } finally {
            ConnectionThread.CURRENT.remove();
        }
        if (here.toServer != null) {
            here.toServer.run();
        }
    }

    /** Runs a handler on this thread; with a handler that does not block, that is the accepting thread. */
    private void handleHere(Socket socket, ConnectionHandler handler) {
        try {
            socket.setTcpNoDelay(true);
            handler.handle(socket);
        } catch (Exception e) {
            if (!isStopped()) {
                connectionFailed("connection from " + socket.getRemoteSocketAddress() + ": " + describe(e), e);
            }
        } finally {
            closeUnclaimed(socket);
        }
    }

    /**
     * The thread an accepted connection's handler runs on. When the handler pumps that connection,
     * the direction to the server runs on this thread after the handler has returned, instead of on
     * a thread of its own: the thread is there anyway, and each thread started and woken costs a
     * context switch, the bulk of the CPU a short connection takes.
     */
    private static final class ConnectionThread {
        /** A thread local, not a ScopedValue: the fuzzing build compiles for release 23, where that is a preview. */
        static final ThreadLocal<ConnectionThread> CURRENT = new ThreadLocal<>();
        final Socket socket;
        Runnable toServer;

        ConnectionThread(Socket socket) {
            this.socket = socket;
        }
    }

    private void fail(ForwardException e) {
        synchronized (lock) {
            state = ForwardState.FAILED;
            lastError = e.getMessage();
        }
        releaseAll();
        log.debug("[{}] failed to start", name, e);
        events.accept(new ForwardEvent.Failed(server, name, e));
    }

    private boolean isStopped() {
        synchronized (lock) {
            return state == ForwardState.STOPPED || state == ForwardState.FAILED;
        }
    }

    private void releaseAll() {
        listeners.forEach(ForwardRunner::closeQuietly);
        listeners.clear();
        // A listener closed while a thread waits in accept() keeps its port until that thread has left.
        for (Thread acceptor : acceptors) {
            if (acceptor == Thread.currentThread()) {
                continue;
            }
            try {
                if (!acceptor.join(ACCEPTOR_EXIT)) {
                    log.warn("[{}] listener thread still running {} after close", name, ACCEPTOR_EXIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        acceptors.clear();
        unclaimed.forEach(this::closeUnclaimed);
        opening.forEach(socket -> {
            if (opening.remove(socket)) {
                closeQuietly(socket);
            }
        });
        pumps.forEach(Pump::close);
    }

    private void closeUnclaimed(Socket socket) {
        if (unclaimed.remove(socket)) {
            closeQuietly(socket);
        }
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("[{}] closing {}: {}", name, socket, e.toString());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void closeQuietly(ServerSocket server) {
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing listener {}: {}", server, e.toString());
        }
    }

    private static String describe(Throwable e) {
        return e instanceof SocketException || e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
