package caret.spi;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.CompletionStage;

/**
 * The engine's services for one forward, given to {@link ForwardType#start}. The engine owns what
 * it creates through this context and releases it when the forward stops.
 */
@Experimental
public interface ForwardContext {

    /** The forward's name, for log lines: {@code L 8080:db:5432}. */
    String name();

    /**
     * The live SSH connection this forward runs on. Other forwards share it: its {@code close()} does
     * nothing here, and a listen beyond the server's loopback is warned about.
     */
    SshConnection connection();

    /**
     * Listens on this machine and hands each accepted connection to {@code handler}, on a thread of
     * its own unless the handler does not block ({@link ConnectionHandler#blocks}). The engine applies the bind policy: no address means loopback; an address beyond
     * loopback is bound because the user asked, with a warning.
     *
     * @param bindAddress the address the user asked for, or {@code null} for the default
     * @param port the port; 0 picks a free one
     * @return the address bound, to show the user
     * @throws ForwardException with {@link ForwardException.Reason#LOCAL_PORT_IN_USE} or
     *     {@link ForwardException.Reason#LOCAL_BIND_FAILED}
     */
    Endpoint serve(String bindAddress, int port, ConnectionHandler handler) throws ForwardException;

    /**
     * Connects to {@code target} from this machine, as reverse forwards do, with the engine's
     * timeouts and socket options.
     */
    Socket connect(Endpoint target) throws IOException;

    /**
     * Carries bytes between {@code socket} and {@code channel} in both directions until both have
     * ended, then closes both. Returns at once; from here the engine owns both. The destination is
     * on the socket's side when the socket came from {@link #connect}, else beyond the channel; a
     * break on the destination's side (a reset, a channel ended without EOF) becomes the forward's
     * last error, told as {@link #connectionFailed} would.
     *
     * @param pending bytes already read from {@code socket} that belong to the channel (a SOCKS
     *     client may send its first payload with the handshake); may be empty
     */
    void pump(Socket socket, SshChannel channel, byte[] pending);

    /**
     * {@link #pump} once {@code channel} is open: a handler that asked for the channel with
     * {@link SshConnection#openChannelAsync} returns at once, and the server's answer starts
     * carrying the bytes, with no thread waiting for it. Returns at once; from here the engine owns
     * the socket. When the channel does not open, the socket is closed and the failure recorded as
     * {@link #connectionFailed} would, as "connection from <i>the application's address</i>: <i>why</i>".
     *
     * @param pending as for {@link #pump}
     */
    void pumpWhenOpen(Socket socket, CompletionStage<? extends SshChannel> channel, byte[] pending);

    /**
     * Records that one connection of this forward failed, such as a refused destination: logged
     * with the forward's name and kept as its last error. The forward stays up.
     */
    void connectionFailed(String message, Throwable cause);

    /** Tells the user something worth knowing about this forward, such as an allocated port. */
    void notice(String message);
}
