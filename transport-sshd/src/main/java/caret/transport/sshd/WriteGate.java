package caret.transport.sshd;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's write lock, held while a DATA or EOF packet is on its way, with the actions that
 * must follow any such packet: MINA's CLOSE, ours or the answer to the peer's. Such an action runs
 * at once when no writer is in, else on the writer's thread as it leaves, so the thread that asks
 * never waits: it may be MINA's reading thread, which a writer held by a key exchange waits for.
 */
final class WriteGate {

    private static final Logger log = LoggerFactory.getLogger(WriteGate.class);

    private final Object channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Action<?>> afterWriter = new ConcurrentLinkedQueue<>();

    /** @param channel the MINA channel whose writes this orders, for log lines */
    WriteGate(Object channel) {
        this.channel = channel;
    }

    /** Waits until no other writer is in. */
    void lock() {
        lock.lock();
    }

    /** Enters only if no other writer is in. */
    boolean tryLock() {
        return lock.tryLock();
    }

    /** Leaves; once the thread is out (it may have entered twice), runs what was left for the writer. */
    void unlock() {
        lock.unlock();
        runLeftActions();
    }

    /**
     * Runs {@code action} with the lock, after whatever a writer is sending now: here and now when
     * no writer is in (its exception then goes to the caller), else it is left for the writer, who
     * runs it as it leaves, also when the writer is the calling thread. Should the writer leave just
     * as the action is left, the calling thread runs it after all, and only logs its exception.
     */
    <E extends Exception> void runAfterWriter(Action<E> action) throws E {
        if (!lock.isHeldByCurrentThread() && lock.tryLock()) {
            try {
                runLeft(); // those left earlier go first
                action.run();
            } finally {
                unlock();
            }
            return;
        }
        afterWriter.add(action);
        runLeftActions(); // the writer may have left before the action was added
    }

    /**
     * Whoever adds an action tries the lock after adding it, and whoever leaves looks for actions
     * after leaving, so one of them runs it; never a thread that is still in, in the middle of its
     * own write.
     */
    private void runLeftActions() {
        while (!afterWriter.isEmpty() && !lock.isHeldByCurrentThread() && lock.tryLock()) {
            try {
                runLeft();
            } finally {
                lock.unlock();
            }
        }
    }

    private void runLeft() {
        for (Action<?> action; (action = afterWriter.poll()) != null; ) {
            try {
                action.run();
            } catch (Exception e) { // the session may be closing meanwhile
                log.debug("Closing {} once its writer left failed: {}", channel, e.toString());
            }
        }
    }

    /** MINA's own handling of a close. */
    @FunctionalInterface
    interface Action<E extends Exception> {
        void run() throws E;
    }
}
