package caret.core.pump;

import caret.spi.NonBlockingChannel;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits on the application sockets of every non-blocking pump at once (a
 * {@link Selector}) and runs the pump's handler for each socket that is ready, as ssh's poll loop
 * does: a request that arrives is read and sent on by the thread the kernel woke, instead of that
 * thread waking another. Started with the first pump that needs it, it lives as long as the
 * process, waiting in the selector when there is nothing to do.
 *
 * <p>Everything about the selector and its keys happens on this thread: other threads hand it
 * {@link #execute tasks}, which it runs before it waits again.
 */
final class Reactor {

    private static final Logger log = LoggerFactory.getLogger(Reactor.class);

    /** The size of the one buffer every socket is read into: one SSH packet's worth. */
    static final int READ_SIZE = 32 * 1024;

    /** What a registered socket's key is attached to. */
    interface Handler {
        /** Runs on the reactor thread when the key's socket is ready for what its interest asked. */
        void ready(SelectionKey key);

        /** Runs on the reactor thread when {@link #ready} threw: the handler is broken, end it. */
        void failed(RuntimeException e);
    }

    /** The process's reactor, once one could be opened; guarded by the class. */
    private static Reactor instance;

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Channels written to in this round, to flush before the thread waits again; on this thread only. */
    private final List<NonBlockingChannel> unflushed = new ArrayList<>();
    /** The buffer the handlers read into, on this thread only. */
    private final byte[] readBuffer = new byte[READ_SIZE];

    private Reactor(Selector selector) {
        this.selector = selector;
        thread = Thread.ofPlatform().daemon().name("caret-reactor").start(this::run);
    }

    /**
     * The process's reactor, started at the first call.
     *
     * @throws IOException when no selector can be opened (out of file descriptors): the next call tries again
     */
    static synchronized Reactor get() throws IOException {
        if (instance == null) {
            instance = new Reactor(Selector.open());
        }
        return instance;
    }

    /** Runs {@code task} on the reactor thread, soon, after the tasks handed in before it. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup(); // this thread runs its own tasks before it waits again
        }
    }

    /**
     * Flushes {@code channel} before this thread waits again, after the other sockets ready in this
     * round have been read: what they sent goes to the server together. On the reactor thread only.
     */
    void flushBeforeWaiting(NonBlockingChannel channel) {
        unflushed.add(channel);
    }

    /** The selector, for the tasks that register with it; on the reactor thread only. */
    Selector selector() {
        return selector;
    }

    /** The read buffer of the handlers, on the reactor thread only; its content is theirs until they return. */
    byte[] readBuffer() {
        return readBuffer;
    }

    private void run() {
        while (true) {
            try {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                flush();
                selector.select(this::dispatch);
            } catch (IOException | RuntimeException e) { // the thread must go on: every pump depends on it
                log.error("The pumps' selector failed; going on: {}", e.toString(), e);
            }
        }
    }

    private void flush() {
        for (NonBlockingChannel channel : unflushed) {
            try {
                channel.flush(); // one per connection sends them all; the others find nothing held
            } catch (RuntimeException e) { // a transport's fault: the other channels are flushed all the same
                log.warn("Flushing {} failed: {}", channel, e.toString(), e);
            }
        }
        unflushed.clear();
    }

    private void dispatch(SelectionKey key) {
        Handler handler = (Handler) key.attachment();
        try {
            handler.ready(key);
        } catch (CancelledKeyException e) {
            // its socket was closed on another thread meanwhile: the handler has ended already
        } catch (RuntimeException e) {
            handler.failed(e);
        }
    }
}
