package caret.transport.jsch;

import caret.spi.Endpoint;
import caret.transport.jsch.byname.PacketTap;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The thread factory of one JSch session. The first thread JSch asks for is its session thread
 * (it reads every packet; created once authentication succeeded): a platform daemon thread, and
 * its end is the connection's end. Every later one is for an incoming {@code forwarded-tcpip}
 * channel, asked for on the session thread right after it decrypted the open: a virtual thread
 * that carries the open's originator (from {@link PacketTap}) to {@link #originator()}.
 */
final class SessionThreads implements ThreadFactory {

    private static final ThreadLocal<Endpoint> ORIGINATOR = new ThreadLocal<>();

    private final String name;
    private final Runnable onSessionEnd;
    private final AtomicBoolean sessionThreadMade = new AtomicBoolean();

    SessionThreads(String name, Runnable onSessionEnd) {
        this.name = name;
        this.onSessionEnd = onSessionEnd;
    }

    /** On a forwarded channel's thread: who connected to the server's port; "unknown" if not seen. */
    static Endpoint originator() {
        Endpoint o = ORIGINATOR.get();
        return o == null ? new Endpoint("unknown", 0) : o;
    }

    @Override
    public Thread newThread(Runnable r) {
        if (sessionThreadMade.compareAndSet(false, true)) {
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } finally {
                    onSessionEnd.run();
                }
            }, "caret-jsch-session " + name);
            t.setDaemon(true);
            return t;
        }
        String[] seen = PacketTap.takeOriginator();
        Endpoint from = seen == null ? null : new Endpoint(seen[0].isBlank() ? "unknown" : seen[0],
                Integer.parseInt(seen[1]));
        return Thread.ofVirtual().name("caret-jsch-channel " + name).unstarted(() -> {
            ORIGINATOR.set(from);
            try {
                r.run();
            } finally {
                ORIGINATOR.remove();
            }
        });
    }
}
