package caret.transport.jsch;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Notices a server that stopped both reading and answering while a write to it is blocked, which
 * JSch's own keepalive cannot: JSch sends its probe from the session thread, under the session's
 * write lock, and a writer blocked in a socket write the server does not take holds that lock. So
 * the probe is never sent, never missed, and the session hangs with the frozen server. This one
 * sees the socket's streams: a socket write in progress for the whole limit, with nothing read for
 * as long, is a dead server (a live one answers the keepalive probes, or at least reads).
 */
final class StallWatch {

    private volatile long lastRead = System.nanoTime();
    private volatile long writeStart;
    private volatile boolean writing;

    /** The socket's input, as JSch reads it. */
    InputStream input(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                lastRead = System.nanoTime();
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                lastRead = System.nanoTime();
                return n;
            }
        };
    }

    /** The socket's output, as JSch writes it. */
    OutputStream output(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeStart = System.nanoTime();
                writing = true;
                try {
                    out.write(b, off, len);
                } finally {
                    writing = false;
                }
            }
        };
    }

    /**
     * Watches on a virtual thread of its own until {@code watching} is false; runs {@code stalled}
     * once, when a write has been blocked and nothing has been read for {@code limit}.
     */
    void start(Duration limit, BooleanSupplier watching, Runnable stalled) {
        long limitNanos = limit.toNanos();
        Thread.ofVirtual().name("caret-jsch-stall-watch").start(() -> {
            while (watching.getAsBoolean()) {
                LockSupport.parkNanos(limitNanos / 6);
                long now = System.nanoTime();
                if (writing && now - writeStart > limitNanos && now - lastRead > limitNanos) {
                    stalled.run();
                    return;
                }
            }
        });
    }
}
