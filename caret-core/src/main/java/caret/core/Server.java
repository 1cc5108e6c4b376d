package caret.core;

import caret.spi.ConnectionSettings;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH server and the named forwards on it: any number, any mix of types, each switched on and
 * off on the live connection without disturbing the others. When the connection drops, the server
 * reconnects with backoff (unless its {@link Reconnect} policy says never) and restores every
 * forward that was on; listeners on this machine keep their ports meanwhile. Thread-safe.
 */
public final class Server implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final String name;
    private final String transportId;
    private final SshTransport transport;
    private final ConnectionSettings settings;
    private final Reconnect reconnect;
    private final Plugins plugins;
    private final Consumer<ForwardEvent> events;
    private final Consumer<ConnectionEvent> connectionEvents;
    private final Link link;
    private final Object lock = new Object();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<Consumer<IOException>> giveUpListeners = new CopyOnWriteArrayList<>();

    private ConnectionState state = ConnectionState.CONNECTING;
    private SshConnection connection;
    private int attempt;
    private String lastError;
    private Thread reconnector;

    Server(String name, String transportId, SshTransport transport, ConnectionSettings settings, Reconnect reconnect,
            Plugins plugins, Consumer<ForwardEvent> events, Consumer<ConnectionEvent> connectionEvents) {
        this.name = name;
        this.transportId = transportId;
        this.transport = transport;
        this.settings = settings;
        this.reconnect = reconnect;
        this.plugins = plugins;
        this.events = events;
        this.connectionEvents = connectionEvents;
        this.link = new Link(settings.server());
    }

    /** Connects now, in the caller's thread. */
    void connectNow() throws TransportException {
        SshConnection fresh = transport.connect(settings);
        if (!up(fresh, 0)) {
            fresh.close();
        }
    }

    /** Connects in the background, retrying with backoff until it works or the server is closed. */
    void connectLater() {
        synchronized (lock) {
            state = ConnectionState.RECONNECTING;
            reconnector = Thread.ofVirtual().name("caret-connect-" + name).start(() -> reconnect("not connected yet", true));
        }
    }

    /** The server's name: its entry in the configuration, or {@code host:port}. */
    public String name() {
        return name;
    }

    /** The server as the user named it. */
    public Endpoint endpoint() {
        return settings.server();
    }

    /** Whether the SSH connection is up. */
    public boolean isOpen() {
        return link.isOpen();
    }

    /**
     * Starts a forward, named after its type and spec, and returns once it accepts connections.
     *
     * @param spec a spec parsed by {@link Caret#parse}
     * @throws ForwardException when it cannot be set up; other forwards are not affected, and the
     *     failed one is forgotten
     * @throws IllegalArgumentException when no discovered forward type has the spec's type
     */
    public Forward start(ForwardSpec spec) throws ForwardException {
        String forwardName;
        synchronized (lock) {
            forwardName = freeName(spec.type() + " " + spec.text());
        }
        try {
            return add(forwardName, spec, true);
        } catch (ForwardException e) {
            remove(forwardName);
            throw e;
        }
    }

    /**
     * Adds a named forward; when {@code on}, starts it and returns once it accepts connections, or
     * at once if the connection is not up (it starts when it is). A remote listen the server
     * refuses is retried with backoff in the background when reconnection is on: the server may
     * still hold the port for a connection it has not yet noticed is lost.
     *
     * @throws ForwardException when it cannot be started; it stays in the list, failed, with the reason
     * @throws IllegalArgumentException when the name is taken or the spec's type is not installed
     */
    public Forward add(String forwardName, ForwardSpec spec, boolean on) throws ForwardException {
        ForwardType type = plugins.forwardTypes().get(spec.type());
        if (type == null) {
            throw new IllegalArgumentException("No forward type '" + spec.type() + "': known are "
                    + plugins.forwardTypes().keySet());
        }
        Entry entry;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) {
                throw new IllegalStateException("Server " + name + " is closed");
            }
            if (state == ConnectionState.FAILED || (state != ConnectionState.UP && !reconnect.enabled())) {
                throw new ForwardException(ForwardException.Reason.CONNECTION_LOST,
                        "Cannot start " + spec + ": the connection to " + endpoint() + " is closed", null);
            }
            if (entries.containsKey(forwardName)) {
                throw new IllegalArgumentException("Server " + name + " already has a forward named '" + forwardName
                        + "': choose another name or remove that one first");
            }
            entry = new Entry(forwardName, type, spec);
            entries.put(forwardName, entry);
            entry.on = on;
        }
        if (on) {
            if (state() != ConnectionState.UP && reconnect.enabled()) {
                log.info("[{}] will start when {} is connected", forwardName, name);
            } else {
                entry.start(true);
            }
        }
        return new Forward(this, entry);
    }

    /**
     * Switches a forward on: starts it now if the connection is up (else when it is). Does nothing
     * if it is on already and running.
     *
     * @throws ForwardException when it cannot start; it stays on the list, failed
     * @throws IllegalArgumentException when there is no forward of that name
     */
    public void switchOn(String forwardName) throws ForwardException {
        Entry entry = entry(forwardName);
        synchronized (lock) {
            entry.on = true;
        }
        if (entry.running()) {
            return;
        }
        if (state() == ConnectionState.UP || !reconnect.enabled()) {
            entry.start(true);
        }
    }

    /**
     * Switches a forward off: stops it and frees its ports; it keeps its place and can be switched
     * on again. Never disturbs another forward.
     *
     * @throws IllegalArgumentException when there is no forward of that name
     */
    public void switchOff(String forwardName) {
        entry(forwardName).off();
    }

    /**
     * Stops a forward and forgets it.
     *
     * @throws IllegalArgumentException when there is no forward of that name
     */
    public void remove(String forwardName) {
        remove(entry(forwardName));
    }

    void remove(Entry entry) {
        entry.off();
        synchronized (lock) {
            entries.remove(entry.name, entry);
            entry.removed = true;
        }
    }

    /** The forward of that name, if there is one. */
    public Optional<Forward> forward(String forwardName) {
        synchronized (lock) {
            return Optional.ofNullable(entries.get(forwardName)).map(entry -> new Forward(this, entry));
        }
    }

    /** A snapshot of the connection and of every forward, in the order they were added. */
    public ServerStatus status() {
        List<Entry> all;
        ConnectionState now;
        int tries;
        String error;
        synchronized (lock) {
            all = List.copyOf(entries.values());
            now = state;
            tries = attempt;
            error = lastError;
        }
        return new ServerStatus(name, settings.server(), transportId, now, tries, error,
                all.stream().map(Entry::status).toList());
    }

    /** Where the connection is. */
    public ConnectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Calls {@code listener} once when the server is given up: the connection dropped and
     * reconnection is off, or reconnecting cannot help (a changed host key). Gets the account of
     * it, such as {@code Connection to db:22 lost: the server closed it}.
     */
    public void onDrop(Consumer<IOException> listener) {
        giveUpListeners.add(listener);
    }

    /** Stops every forward and closes the connection. Idempotent. */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.CLOSED;
            all = List.copyOf(entries.values());
            if (reconnector != null) {
                reconnector.interrupt();
            }
        }
        all.forEach(Entry::off);
        link.close();
    }

    @Override
    public String toString() {
        return name;
    }

    private Entry entry(String forwardName) {
        synchronized (lock) {
            Entry entry = entries.get(forwardName);
            if (entry == null) {
                throw new IllegalArgumentException("Server " + name + " has no forward named '" + forwardName + "'"
                        + (entries.isEmpty() ? "" : "; it has: " + String.join(", ", entries.keySet())));
            }
            return entry;
        }
    }

    /** Called holding the lock. */
    private String freeName(String wanted) {
        String candidate = wanted;
        for (int n = 2; entries.containsKey(candidate); n++) {
            candidate = wanted + " #" + n;
        }
        return candidate;
    }

    /** A connection is live: put it in place and bring back every forward that is on. */
    private boolean up(SshConnection fresh, int attempts) {
        List<Entry> all;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) {
                return false;
            }
            connection = fresh;
            link.up(fresh);
            state = ConnectionState.UP;
            attempt = 0;
            all = List.copyOf(entries.values());
        }
        fresh.onDrop(cause -> dropped(fresh, cause));
        if (attempts > 0) {
            log.info("{}: connected again to {} (attempt {})", name, settings.server(), attempts);
        }
        publish(new ConnectionEvent.Connected(name, attempts));
        for (Entry entry : all) {
            entry.restore();
        }
        return true;
    }

    private void dropped(SshConnection which, IOException cause) {
        String why = cause.getMessage();
        List<Entry> all;
        synchronized (lock) {
            if (connection != which || state != ConnectionState.UP) {
                return;
            }
            connection = null;
            link.down(why);
            lastError = why;
            state = reconnect.enabled() ? ConnectionState.RECONNECTING : ConnectionState.FAILED;
            all = List.copyOf(entries.values());
            if (reconnect.enabled()) {
                reconnector = Thread.ofVirtual().name("caret-reconnect-" + name).start(() -> reconnect(why, false));
            }
        }
        which.close();
        if (reconnect.enabled()) {
            all.forEach(entry -> entry.suspend(why));
            return;
        }
        log.warn("{}", why);
        all.forEach(entry -> entry.lost(why));
        publish(new ConnectionEvent.GaveUp(name, why));
        giveUpListeners.forEach(listener -> listener.accept(cause));
    }

    private void reconnect(String firstReason, boolean tryAtOnce) {
        String reason = firstReason;
        for (int n = 1; ; n++) {
            Duration delay = n == 1 && tryAtOnce ? Duration.ZERO : reconnect.delay(n);
            synchronized (lock) {
                if (state != ConnectionState.RECONNECTING) {
                    return;
                }
                attempt = n;
                lastError = reason;
            }
            if (!delay.isZero()) {
                log.info("{}: {}; retrying in {}, attempt {}", name, reason, Seconds.of(delay), n);
                publish(new ConnectionEvent.Retrying(name, reason, delay, n));
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException closed) {
                    return;
                }
            }
            try {
                SshConnection fresh = transport.connect(settings);
                if (!up(fresh, n)) {
                    fresh.close();
                }
                return;
            } catch (TransportException e) {
                reason = e.getMessage();
                if (e.reason() == TransportException.Reason.HOST_KEY_CHANGED
                        || e.reason() == TransportException.Reason.HOST_KEY_UNKNOWN) {
                    giveUp(reason);
                    return;
                }
            } catch (RuntimeException e) {
                reason = "Cannot connect to " + settings.server() + ": " + e;
                log.debug("{}: connect failed", name, e);
            }
        }
    }

    private void giveUp(String reason) {
        List<Entry> all;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.FAILED;
            lastError = reason;
            all = List.copyOf(entries.values());
        }
        log.error("{}: {}; not retrying", name, reason);
        all.forEach(entry -> entry.lost(reason));
        publish(new ConnectionEvent.GaveUp(name, reason));
        IOException cause = new IOException(reason);
        giveUpListeners.forEach(listener -> listener.accept(cause));
    }

    private void publish(ConnectionEvent event) {
        try {
            connectionEvents.accept(event);
        } catch (RuntimeException e) {
            log.warn("connection event listener failed on {}: {}", event, e.toString(), e);
        }
    }

    /** One named forward: its spec, whether the user wants it on, and its current run. */
    final class Entry {

        private final String name;
        private final ForwardType type;
        private final ForwardSpec spec;
        private boolean on;
        private boolean removed;
        private ForwardRunner runner;
        private Thread retrier;
        private String waiting;

        Entry(String name, ForwardType type, ForwardSpec spec) {
            this.name = name;
            this.type = type;
            this.spec = spec;
        }

        String name() {
            return name;
        }

        ForwardSpec spec() {
            return spec;
        }

        /**
         * Starts a run. A refused remote listen is retried in the background when reconnection
         * is on.
         *
         * @param report whether to throw the first failure to the caller
         */
        void start(boolean report) throws ForwardException {
            ForwardRunner fresh;
            synchronized (lock) {
                if (!on || removed || running()) {
                    return;
                }
                fresh = new ForwardRunner(Server.this.name, name, type, spec, link, reconnect, events);
                runner = fresh;
                waiting = null;
            }
            try {
                fresh.start();
            } catch (ForwardException e) {
                if (e.reason() == ForwardException.Reason.REMOTE_BIND_REFUSED && reconnect.enabled()) {
                    retry(e);
                }
                if (report) {
                    throw e;
                }
            }
        }

        /** Whether a run is under way: starting, ready, or waiting to be restored. */
        boolean running() {
            synchronized (lock) {
                if (retrier != null) {
                    return true;
                }
                if (runner == null) {
                    return false;
                }
                ForwardState state = runner.state();
                return state == ForwardState.STARTING || state == ForwardState.READY || state == ForwardState.WAITING;
            }
        }

        private void retry(ForwardException first) {
            synchronized (lock) {
                if (retrier != null || !on || removed) {
                    return;
                }
                retrier = Thread.ofVirtual().name("caret-retry").start(() -> retryLoop(first));
            }
        }

        private void retryLoop(ForwardException first) {
            ForwardException last = first;
            try {
                for (int n = 1; ; n++) {
                    Duration delay = reconnect.delay(n);
                    String message = last.getMessage() + "; it may still hold the port for a lost connection: retrying in "
                            + Seconds.of(delay) + ", attempt " + n;
                    synchronized (lock) {
                        if (!on || removed) {
                            return;
                        }
                        waiting = message;
                    }
                    log.info("[{}] {}", name, message);
                    events.accept(new ForwardEvent.Waiting(Server.this.name, name, message));
                    Thread.sleep(delay);
                    ForwardRunner fresh;
                    synchronized (lock) {
                        if (!on || removed || state != ConnectionState.UP) {
                            return; // switched off, or the connection is down: restore() starts it again
                        }
                        fresh = new ForwardRunner(Server.this.name, name, type, spec, link, reconnect, events);
                        runner = fresh;
                    }
                    try {
                        fresh.start();
                        return;
                    } catch (ForwardException e) {
                        if (e.reason() != ForwardException.Reason.REMOTE_BIND_REFUSED) {
                            return;
                        }
                        last = e;
                    }
                }
            } catch (InterruptedException switchedOff) {
                log.debug("[{}] retry interrupted", name);
            } finally {
                synchronized (lock) {
                    retrier = null;
                    waiting = null;
                }
            }
        }

        /** The connection is back: resume the run, or start one if it is on and not running. */
        void restore() {
            ForwardRunner current;
            synchronized (lock) {
                if (!on || removed || retrier != null) {
                    return;
                }
                current = runner;
            }
            if (current != null && current.state() == ForwardState.WAITING) {
                current.resume();
                return;
            }
            Thread.ofVirtual().name("caret-start").start(() -> {
                try {
                    start(false);
                } catch (ForwardException unreachable) {
                    // start(false) reports through events and status only
                }
            });
        }

        void suspend(String reason) {
            ForwardRunner current;
            synchronized (lock) {
                current = runner;
            }
            if (current != null) {
                current.suspend(reason);
            }
        }

        /** The connection is gone for good. */
        void lost(String reason) {
            ForwardRunner current;
            synchronized (lock) {
                current = runner;
                if (retrier != null) {
                    retrier.interrupt();
                }
            }
            if (current != null) {
                current.stop(reason);
            }
        }

        void off() {
            ForwardRunner current;
            Thread retrying;
            synchronized (lock) {
                on = false;
                current = runner;
                retrying = retrier;
            }
            if (retrying != null) {
                retrying.interrupt();
                try {
                    retrying.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (current != null) {
                current.stop(null);
            }
        }

        ForwardStatus status() {
            ForwardRunner current;
            boolean isOn;
            boolean gone;
            String why;
            synchronized (lock) {
                current = runner;
                isOn = on;
                gone = removed;
                why = waiting;
            }
            ForwardStatus run = current == null ? null : current.status();
            if (why != null) {
                return new ForwardStatus(name, spec, ForwardState.WAITING, null, false, 0, 0, 0, why);
            }
            if (run == null) {
                ForwardState state = gone ? ForwardState.STOPPED : !isOn ? ForwardState.OFF
                        : ForwardState.WAITING;
                return new ForwardStatus(name, spec, state, null, false, 0, 0, 0,
                        state == ForwardState.WAITING ? "waiting for the connection to " + Server.this.name : null);
            }
            if (!isOn && !gone && run.state() == ForwardState.STOPPED) {
                return new ForwardStatus(name, spec, ForwardState.OFF, null, false, 0, run.bytesToServer(),
                        run.bytesFromServer(), run.lastError());
            }
            return run;
        }
    }
}
