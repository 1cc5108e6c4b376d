package caret.core;

import java.util.Objects;

/**
 * A problem found while discovering plugins: a provider that failed to load, an id claimed twice,
 * no plugin of a kind at all. The message says what was found and what to do.
 *
 * @param severity how much it matters
 * @param message what happened and what to do
 */
public record DiscoveryIssue(Severity severity, String message) {

    /** How much an issue matters. */
    public enum Severity {
        /** Something is missing or off, and the rest works. */
        WARNING,
        /** A plugin or an id is unusable until the user acts. */
        ERROR
    }

    public DiscoveryIssue {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return severity + ": " + message;
    }
}
