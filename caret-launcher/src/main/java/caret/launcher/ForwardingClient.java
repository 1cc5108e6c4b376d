package caret.launcher;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.core.Server;
import caret.spi.ConnectionSettings;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.TransportException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One connection and its forwards, as the command line runs them: prints one {@code ready} line per
 * forward with the address to connect to, notices such as allocated ports, and errors; waits until
 * the connection drops or the process is interrupted.
 */
final class ForwardingClient implements AutoCloseable {

    /** ssh's exit code for a connection, authentication or host key failure, and for a lost connection. */
    static final int CONNECTION_FAILED = 255;

    private final Caret caret;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread onExit;
    private volatile IOException drop;
    private Server server;

    ForwardingClient(Caret caret, PrintStream out, PrintStream err) {
        this.caret = caret;
        this.out = out;
        this.err = err;
        caret.addListener(this::print);
        // Ctrl-C or SIGTERM: stop the forwards and say goodbye to the server, as ssh does.
        this.onExit = new Thread(caret::close, "caret-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    void connect(String transport, ConnectionSettings settings) throws TransportException {
        server = caret.connect(transport, settings);
        server.onDrop(cause -> {
            drop = cause;
            ended.countDown();
        });
    }

    /**
     * Starts each forward; one that fails is reported and the others go on, unless
     * {@code exitOnFailure}, which stops at the first failure.
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

    /** Blocks until the connection drops; returns the exit code, having said why. */
    int awaitDrop() throws InterruptedException {
        ended.await();
        err.println(drop.getMessage());
        return CONNECTION_FAILED;
    }

    @Override
    public void close() {
        caret.close();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run: it closes the same things, idempotently
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
            default -> {
                // Starting, Stopping, Stopped and ConnectionFailed are logged by the engine.
            }
        }
    }
}
