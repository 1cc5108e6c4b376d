package caret.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a {@link Server} does when its SSH connection drops: give up, or reconnect with exponential
 * backoff and jitter and restore every forward that was on.
 *
 * @param enabled whether to reconnect at all
 * @param first the wait before the first attempt
 * @param max the longest wait between attempts
 */
public record Reconnect(boolean enabled, Duration first, Duration max) {

    /** Never reconnect: a drop stops every forward, as {@code ssh} exits. */
    public static final Reconnect NEVER = new Reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1));

    /** Reconnect after 1 s, 2 s, 4 s … up to 30 s between attempts, for ever. */
    public static final Reconnect DEFAULT = new Reconnect(true, Duration.ofSeconds(1), Duration.ofSeconds(30));

    public Reconnect {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("Reconnect needs 0 < first <= max, not " + first + " and " + max);
        }
    }

    /**
     * The wait before attempt {@code attempt} (1 for the first): {@code first × 2^(attempt-1)},
     * capped at {@code max}, then spread by ±20% so that many clients cut off together do not all
     * come back at the same instant.
     */
    public Duration delay(int attempt) {
        long base = first.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(base, max.toMillis());
        double spread = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(capped * spread)));
    }
}
