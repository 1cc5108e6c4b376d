package caret.transport.jsch;

import java.io.InputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code io.in} of a {@code forwarded-tcpip} channel. JSch's channel thread confirms the open
 * and then reads this stream in a loop, sending what it reads as data and, at -1, EOF and CLOSE at
 * once. So it gives no data (writes go through the channel's output stream, where closing sends
 * EOF only): its first read tells that the open is confirmed, and it returns -1 only after the
 * channel was closed.
 */
final class ForwardedGate extends InputStream {

    private final Runnable onConfirmed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closedSignal = lock.newCondition();
    private boolean confirmed;
    private boolean closed;

    ForwardedGate(Runnable onConfirmed) {
        this.onConfirmed = onConfirmed;
    }

    @Override
    public int read() {
        return read(new byte[1], 0, 1);
    }

    @Override
    public int read(byte[] b, int off, int len) {
        boolean first;
        lock.lock();
        try {
            first = !confirmed;
            confirmed = true;
        } finally {
            lock.unlock();
        }
        if (first) {
            onConfirmed.run();
        }
        lock.lock();
        try {
            while (!closed) {
                closedSignal.awaitUninterruptibly();
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /** JSch's {@code disconnect()} closes it: the channel thread ends. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closedSignal.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
