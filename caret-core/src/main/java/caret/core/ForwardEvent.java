package caret.core;

import caret.spi.Endpoint;
import caret.spi.ForwardException;

/**
 * Something that happened to a forward. Listeners registered with {@link Caret#addListener} get
 * every event, in order per forward, on the thread that caused it: they must return quickly.
 */
public sealed interface ForwardEvent {

    /** The forward's name: its type and spec, {@code local 8080:db:5432}. */
    String forward();

    /** The forward is being set up. */
    record Starting(String forward) implements ForwardEvent {
    }

    /** The forward accepts connections at {@code address}. */
    record Ready(String forward, Endpoint address, boolean onServer) implements ForwardEvent {
    }

    /** The forward could not be started; nothing of it is left running. */
    record Failed(String forward, ForwardException error) implements ForwardEvent {
    }

    /** Something the user should know, such as the port the server allocated. */
    record Notice(String forward, String message) implements ForwardEvent {
    }

    /** One connection of the forward failed, such as a refused destination; the forward stays up. */
    record ConnectionFailed(String forward, String message) implements ForwardEvent {
    }

    /** The forward is being stopped. */
    record Stopping(String forward) implements ForwardEvent {
    }

    /**
     * The forward stopped and released its ports and connections.
     *
     * @param cause why, when it was not the user: the SSH connection was lost; {@code null} otherwise
     */
    record Stopped(String forward, String cause) implements ForwardEvent {
    }
}
