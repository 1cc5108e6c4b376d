package caret.core;

import caret.spi.Endpoint;
import caret.spi.ForwardSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one forward, for status displays and scripts.
 *
 * @param name the forward's name: its type and spec, {@code local 8080:db:5432}
 * @param spec the spec it runs
 * @param state where it is in its life
 * @param address where applications connect, once it is ready; {@code null} before
 * @param onServer whether {@code address} is on the server (reverse) rather than on this machine
 * @param openConnections connections being carried now
 * @param bytesToServer bytes carried from applications into the SSH connection
 * @param bytesFromServer bytes carried from the SSH connection to applications
 * @param lastError the last failure, of the forward or of one of its connections; {@code null} if none
 */
public record ForwardStatus(
        String name,
        ForwardSpec spec,
        ForwardState state,
        Endpoint address,
        boolean onServer,
        int openConnections,
        long bytesToServer,
        long bytesFromServer,
        String lastError) {

    public ForwardStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
    }

    /** Where applications connect, once ready. */
    public Optional<Endpoint> connectTo() {
        return Optional.ofNullable(address);
    }

    /** The last failure, if any. */
    public Optional<String> error() {
        return Optional.ofNullable(lastError);
    }
}
