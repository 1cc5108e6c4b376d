package caret.spi;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A live, authenticated SSH connection, reduced to the primitives a forward is built from. Safe for
 * use from many threads at once.
 */
@Experimental
public interface SshConnection extends AutoCloseable {

    /**
     * Opens a {@code direct-tcpip} channel: the server connects to {@code target}, as the server
     * sees it (a name is resolved on the server). Blocks until the server has answered.
     *
     * @param target where the server should connect
     * @param originator the address of the application whose connection this carries; the server
     *     may log it
     * @throws ChannelOpenException when the server refused to open the channel
     * @throws IOException when the connection is closed or broke
     */
    SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException;

    /**
     * Opens a {@code direct-tcpip} channel as {@link #openChannel} does, without waiting: the stage
     * completes with the channel, or with the exception {@code openChannel} would throw, when the
     * server has answered. No thread waits for the answer where the transport can help it: then
     * the stage completes on the transport's reading thread, which every channel of the
     * connection shares, so what depends on it must not block. The default opens the channel on
     * a virtual thread of its own, which completes the stage.
     */
    default CompletionStage<SshChannel> openChannelAsync(Endpoint target, Endpoint originator) {
        CompletableFuture<SshChannel> opened = new CompletableFuture<>();
        Thread.ofVirtual().name("caret-open").start(() -> {
            try {
                opened.complete(openChannel(target, originator));
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
            }
        });
        return opened;
    }

    /**
     * Asks the server to listen on {@code bind} ({@code tcpip-forward}) and to hand each
     * connection it accepts there to {@code handler} as a {@code forwarded-tcpip} channel.
     *
     * @param bind the address and port the server should listen on; port 0 lets it choose
     * @param handler called once per incoming channel, on a thread of its own, so it may block
     * @return the listen, with the port the server bound
     * @throws RemoteBindException when the server refused to listen there
     * @throws IOException when the connection is closed or broke
     */
    RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException;

    /**
     * Registers a listener for the connection ending by any cause other than {@link #close()}: the
     * server went away, the network broke, keepalive gave up. Called at most once, on some
     * transport thread; called at once if the connection has already dropped.
     */
    void onDrop(Consumer<IOException> listener);

    /** Whether the connection is still usable. */
    boolean isOpen();

    /** The server as the user named it. */
    Endpoint server();

    /** Closes the connection and every channel on it. Idempotent; never throws. */
    @Override
    void close();
}
