package caret.core;

import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.SshConnection;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live SSH connection and the forwards on it: any number, any mix of types, each started and
 * stopped on the live connection independently of the others. Thread-safe.
 */
public final class Server implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final SshConnection connection;
    private final Plugins plugins;
    private final Consumer<ForwardEvent> events;
    private final List<ForwardRunner> runners = new CopyOnWriteArrayList<>();
    private final List<Consumer<IOException>> dropListeners = new CopyOnWriteArrayList<>();

    Server(SshConnection connection, Plugins plugins, Consumer<ForwardEvent> events) {
        this.connection = connection;
        this.plugins = plugins;
        this.events = events;
        connection.onDrop(this::dropped);
    }

    /** The server as the user named it. */
    public Endpoint endpoint() {
        return connection.server();
    }

    /** Whether the SSH connection is up. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /**
     * Starts a forward and returns once it accepts connections.
     *
     * @param spec a spec parsed by {@link Caret#parse}
     * @throws ForwardException when it cannot be set up; other forwards are not affected
     * @throws IllegalArgumentException when no discovered forward type has the spec's type
     */
    public Forward start(ForwardSpec spec) throws ForwardException {
        ForwardType type = plugins.forwardTypes().get(spec.type());
        if (type == null) {
            throw new IllegalArgumentException("No forward type '" + spec.type() + "': known are "
                    + plugins.forwardTypes().keySet());
        }
        if (!connection.isOpen()) {
            throw new ForwardException(ForwardException.Reason.CONNECTION_LOST,
                    "Cannot start " + spec + ": the connection to " + endpoint() + " is closed", null);
        }
        ForwardRunner runner = new ForwardRunner(type, spec, connection, events);
        runners.add(runner); // before it starts, so that a drop meanwhile stops it too
        try {
            runner.start();
        } catch (ForwardException | RuntimeException e) {
            runners.remove(runner);
            throw e;
        }
        return new Forward(runner, () -> runners.remove(runner));
    }

    /** The forwards started here and not stopped by the user, in start order. */
    public List<ForwardStatus> status() {
        return runners.stream().map(ForwardRunner::status).toList();
    }

    /**
     * Calls {@code listener} once if the connection drops (not when closed by {@link #close()}), with
     * the transport's account of it, such as {@code Connection to db:22 lost: the server closed it}.
     */
    public void onDrop(Consumer<IOException> listener) {
        dropListeners.add(listener);
    }

    /** Stops every forward and closes the connection. Idempotent. */
    @Override
    public void close() {
        runners.forEach(runner -> runner.stop(null));
        runners.clear();
        connection.close();
    }

    private void dropped(IOException cause) {
        log.warn("{}", cause.getMessage());
        String why = cause.getMessage();
        runners.forEach(runner -> runner.stop(why));
        dropListeners.forEach(listener -> listener.accept(cause));
    }
}
