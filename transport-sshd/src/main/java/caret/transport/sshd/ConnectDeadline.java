package caret.transport.sshd;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The connect timeout of one attempt, not counting the time the user takes: while the host key
 * verifier or the credential prompt runs (it may ask on a terminal), the clock stands still. So the
 * timeout bounds the network and the server, as OpenSSH's ConnectTimeout does, and a slow answer
 * to "Are you sure you want to continue connecting?" is no timeout.
 */
final class ConnectDeadline {

    /** How often a wait looks again while the user is being asked. */
    private static final long ASKING_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Duration timeout;
    private final long start = System.nanoTime();
    private long paused;
    private int asking;
    private long askingSince;

    ConnectDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Stops the clock for a call that may wait for the user; pair with {@link #resume()} in a finally. */
    synchronized void pause() {
        if (asking++ == 0) {
            askingSince = System.nanoTime();
        }
    }

    /** Restarts the clock after {@link #pause()}. */
    synchronized void resume() {
        if (asking > 0 && --asking == 0) {
            paused += System.nanoTime() - askingSince;
        }
    }

    /**
     * How long to wait now before looking again: the time left, or while the user is being asked, a
     * short poll (the wait ends when the user answers, so the time left is known again). 0 when the
     * timeout has passed.
     */
    synchronized long waitMillis() {
        long now = System.nanoTime();
        long pausedNow = paused + (asking > 0 ? now - askingSince : 0);
        long left = start + timeout.toNanos() + pausedNow - now;
        if (asking > 0) {
            left = Math.max(left, ASKING_POLL_NANOS);
        }
        return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
    }
}
