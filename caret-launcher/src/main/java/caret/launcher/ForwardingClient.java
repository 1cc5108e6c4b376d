package caret.launcher;

import caret.core.Caret;
import caret.core.ConnectionEvent;
import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.Reconnect;
import caret.core.Server;
import caret.launcher.control.ControlHandler;
import caret.launcher.control.ControlServer;
import caret.launcher.ui.Dashboard;
import caret.spi.ConnectionSettings;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.TransportException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The running instance as the command line runs it: its servers and forwards, the control socket,
 * the event hook; prints one {@code ready} line per forward with the address to connect to (again
 * after each reconnect), notices such as allocated ports, outages and errors; runs until told to
 * exit, interrupted, or, for a single server, given up.
 */
final class ForwardingClient implements AutoCloseable {

    /** ssh's exit code for a connection, authentication or host key failure, and for a lost connection. */
    static final int CONNECTION_FAILED = 255;

    private final Caret caret;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread onExit;
    private volatile String gaveUp;
    private ControlServer control;
    private Dashboard dashboard;
    private EventHook hook;
    private Server server;

    ForwardingClient(Caret caret, PrintStream out, PrintStream err) {
        this.caret = caret;
        this.out = out;
        this.err = err;
        caret.addListener(this::print);
        caret.addConnectionListener(this::print);
        // Ctrl-C or SIGTERM: stop the forwards and say goodbye to the servers, as ssh does.
        this.onExit = new Thread(this::shutdown, "caret-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        HeapTrim.start();
    }

    /**
     * Connects to the one server of a command line; the run ends when it is given up.
     *
     * @throws TransportException when the first connection fails
     */
    void connect(String transport, ConnectionSettings settings, Reconnect reconnect) throws TransportException {
        server = caret.connect(settings.server().toString(), transport, settings, reconnect);
        server.onDrop(cause -> {
            gaveUp = cause.getMessage();
            ended.countDown();
        });
    }

    /**
     * Listens on the control socket at {@code path}, with {@code reload} and {@code save} for a
     * configuration file ({@code null} for none).
     *
     * @return what answers the requests, for the dashboard to send its own
     */
    ControlHandler control(Path path, Instance.Config config) throws IOException {
        Instance instance = new Instance(caret, ended::countDown, config);
        control = ControlServer.start(path, instance);
        return instance;
    }

    /** Keeps the dashboard until the instance ends. */
    void dashboard(Dashboard served) {
        this.dashboard = served;
    }

    /** Runs {@code command} with each forward's outage, return and failure as JSON on its standard input. */
    void onEvent(EventHook eventHook) {
        this.hook = eventHook;
        caret.addListener(eventHook::accept);
        caret.addConnectionListener(eventHook::accept);
    }

    /**
     * Starts each forward on the connected server; one that fails is reported and the others go
     * on, unless {@code exitOnFailure}, which stops at the first failure.
     *
     * @return the forwards that started
     * @throws ForwardException the first failure, when {@code exitOnFailure}
     */
    List<Forward> start(List<ForwardSpec> specs, boolean exitOnFailure) throws ForwardException {
        List<Forward> started = new ArrayList<>();
        for (ForwardSpec spec : specs) {
            try {
                started.add(server.start(spec));
            } catch (ForwardException e) {
                if (exitOnFailure) {
                    throw e;
                }
            }
        }
        return started;
    }

    /**
     * Blocks until the instance is told to exit (0), or its one server is given up
     * ({@value #CONNECTION_FAILED}, having said why).
     */
    int awaitEnd() throws InterruptedException {
        ended.await();
        if (gaveUp != null) {
            err.println(gaveUp);
            return CONNECTION_FAILED;
        }
        return 0;
    }

    @Override
    public void close() {
        shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run: it closes the same things, idempotently
        }
    }

    private void shutdown() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (control != null) {
            control.close();
        }
        caret.close();
        if (hook != null) {
            hook.close();
        }
    }

    private void print(ForwardEvent event) {
        switch (event) {
            case ForwardEvent.Ready ready -> {
                out.println(ready.forward() + " ready: connect to " + ready.address()
                        + (ready.onServer() ? " on the server" : ""));
                out.flush();
            }
            case ForwardEvent.Notice notice -> {
                out.println(notice.message());
                out.flush();
            }
            case ForwardEvent.Failed failed -> {
                err.println("Error: " + failed.error().getMessage());
                err.flush();
            }
            case ForwardEvent.Waiting waiting -> {
                err.println(waiting.forward() + " waiting: " + waiting.reason());
                err.flush();
            }
            default -> {
                // Starting, Stopping, Stopped and ConnectionFailed are logged by the engine.
            }
        }
    }

    private void print(ConnectionEvent event) {
        switch (event) {
            case ConnectionEvent.Retrying retrying -> {
                err.println(retrying.server() + ": " + retrying.reason() + "; retrying in "
                        + Math.max(1, Math.round(retrying.delay().toMillis() / 1000.0)) + " s, attempt " + retrying.attempt());
                err.flush();
            }
            case ConnectionEvent.Connected connected when connected.attempt() > 0 -> {
                err.println(connected.server() + ": connected again");
                err.flush();
            }
            default -> {
                // the first connection and giving up are said elsewhere
            }
        }
    }
}
