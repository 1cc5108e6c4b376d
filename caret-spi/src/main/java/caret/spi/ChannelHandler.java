package caret.spi;

/**
 * Takes the channels the server opens for a {@link RemoteListen}: one call per connection the
 * server accepted on the listening port.
 */
@Experimental
@FunctionalInterface
public interface ChannelHandler {

    /**
     * Called on a thread of its own; the handler owns {@code channel} from here and must close it.
     *
     * @param channel the new {@code forwarded-tcpip} channel
     * @param originator the address of the program that connected to the server's port
     */
    void accept(SshChannel channel, Endpoint originator);
}
