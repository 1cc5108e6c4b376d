package caret.spi;

import java.util.Objects;

/**
 * What {@link ForwardType#start} returns: where to connect, and how to stop what the type itself
 * set up. Listeners run by the engine ({@link ForwardContext#serve}) and pumped connections are
 * stopped by the engine; {@link #stop} undoes the rest, such as a listen on the server.
 *
 * @param address the address applications connect to
 * @param onServer whether {@code address} is on the server (reverse) rather than on this machine
 * @param stop undoes what the type set up; never throws; may be a no-op
 */
@Experimental
public record RunningForward(Endpoint address, boolean onServer, Runnable stop) {

    public RunningForward {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(stop, "stop");
    }

    /** A forward whose only resources the engine owns. */
    public static RunningForward onThisMachine(Endpoint address) {
        return new RunningForward(address, false, () -> { });
    }
}
