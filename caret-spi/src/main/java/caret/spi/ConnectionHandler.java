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
     * Called for each accepted connection, on a thread of its own unless the handler does not
     * block ({@link #blocks}). The handler opens a channel and gives both to
     * {@link ForwardContext#pump} (or {@link ForwardContext#pumpWhenOpen}); if it returns or throws
     * without doing so, the engine closes the socket, and a thrown exception is recorded as that
     * connection's failure. The forward keeps running either way. Return once the connection is
     * pumped, and leave the socket alone from then on: the engine carries its bytes from that
     * moment, and where it needs a thread for the direction toward the server, it uses the
     * handler's own once the handler has returned (one thread fewer to start and wake per
     * connection).
     */
    void handle(Socket socket) throws Exception;

    /**
     * Whether {@link #handle} may block: read from the socket, wait for the server. By default it
     * may, and runs on a thread of its own. A handler that only asks for what it needs and
     * returns, such as one that opens its channel with {@link SshConnection#openChannelAsync} and
     * gives it to {@link ForwardContext#pumpWhenOpen}, returns false: the engine then calls it on
     * the thread that accepted the connection, and starts no thread for it. Such a handler that
     * blocks after all holds up every later connection to its forward until it returns.
     */
    default boolean blocks() {
        return true;
    }
}
