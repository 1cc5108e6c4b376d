package caret.spi;

import java.net.Socket;

/**
 * Handles one connection accepted on a listener the engine runs for a forward
 * ({@link ForwardContext#serve}).
 */
@Experimental
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * Called on a thread of its own for each accepted connection. The handler opens a channel and
     * gives both to {@link ForwardContext#pump}; if it returns or throws without doing so, the
     * engine closes the socket, and a thrown exception is recorded as that connection's failure.
     * The forward keeps running either way. Return once the connection is pumped, and leave the
     * socket alone from then on: the engine carries its bytes from that moment, and where it needs
     * a thread for the direction toward the server, it uses this one once the handler has returned
     * (one thread fewer to start and wake per connection).
     */
    void handle(Socket socket) throws Exception;
}
