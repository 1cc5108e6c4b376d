package caret.core;

import caret.spi.ForwardSpec;

/**
 * A forward on a {@link Server}: look at it with {@link #status()}, stop and forget it with
 * {@link #stop()}. Stopping one forward never disturbs another.
 */
public final class Forward {

    private final Server server;
    private final Server.Entry entry;

    Forward(Server server, Server.Entry entry) {
        this.server = server;
        this.entry = entry;
    }

    /** Its name: given by the user, or its type and spec, {@code local 8080:db:5432}. */
    public String name() {
        return entry.name();
    }

    public ForwardSpec spec() {
        return entry.spec();
    }

    /** A snapshot of its state, address and counters. */
    public ForwardStatus status() {
        return entry.status();
    }

    /**
     * Stops listening, closes its open connections, frees its ports and removes it from its
     * server. Idempotent; returns once all is released.
     */
    public void stop() {
        server.remove(entry);
    }

    @Override
    public String toString() {
        return name();
    }
}
