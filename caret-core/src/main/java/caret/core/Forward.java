package caret.core;

import caret.spi.ForwardSpec;

/**
 * A forward started on a {@link Server}: look at it with {@link #status()}, stop it with
 * {@link #stop()}. Stopping one forward never disturbs another.
 */
public final class Forward {

    private final ForwardRunner runner;
    private final Runnable forget;

    Forward(ForwardRunner runner, Runnable forget) {
        this.runner = runner;
        this.forget = forget;
    }

    /** Its name: type and spec, {@code local 8080:db:5432}. */
    public String name() {
        return runner.name();
    }

    public ForwardSpec spec() {
        return runner.spec();
    }

    /** A snapshot of its state, address and counters. */
    public ForwardStatus status() {
        return runner.status();
    }

    /**
     * Stops listening, closes its open connections and frees its ports. Idempotent; returns once
     * all is released.
     */
    public void stop() {
        runner.stop(null);
        forget.run();
    }

    @Override
    public String toString() {
        return name();
    }
}
