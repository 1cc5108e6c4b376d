package caret.core;

import caret.spi.Endpoint;
import caret.spi.ForwardException;

/**
 * Something that happened to a forward. Listeners registered with {@link Caret#addListener} get
 * every event, in order per forward, on the thread that caused it: they must return quickly.
 */
public sealed interface ForwardEvent {

    /** The name of the server the forward runs on. */
    String server();

    /** The forward's name: given by the user, or its type and spec, {@code local 8080:db:5432}. */
    String forward();

    /** The forward is being set up. */
    record Starting(String server, String forward) implements ForwardEvent {
    }

    /** The forward accepts connections at {@code address}: at start, and again after a reconnect. */
    record Ready(String server, String forward, Endpoint address, boolean onServer) implements ForwardEvent {
    }

    /**
     * The forward is on but cannot carry connections for now: its SSH connection dropped and Caret
     * is reconnecting, or the server does not give back its remote port yet. Local listeners keep
     * their ports meanwhile.
     */
    record Waiting(String server, String forward, String reason) implements ForwardEvent {
    }

    /** The forward could not be started; nothing of it is left running. */
    record Failed(String server, String forward, ForwardException error) implements ForwardEvent {
    }

    /** Something the user should know, such as the port the server allocated. */
    record Notice(String server, String forward, String message) implements ForwardEvent {
    }

    /** One connection of the forward failed, such as a refused destination; the forward stays up. */
    record ConnectionFailed(String server, String forward, String message) implements ForwardEvent {
    }

    /** The forward is being stopped. */
    record Stopping(String server, String forward) implements ForwardEvent {
    }

    /**
     * The forward stopped and released its ports and connections.
     *
     * @param cause why, when it was not the user: the SSH connection was lost for good; {@code null} otherwise
     */
    record Stopped(String server, String forward, String cause) implements ForwardEvent {
    }
}
