package caret.plugin.dynamic;

import caret.spi.ConnectionHandler;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The engine's side of a forward, for tests that stop before any SSH traffic: records failures and
 * notices; {@code serve} answers with a given address instead of listening. Anything that would
 * need an SSH connection fails the test.
 */
final class RecordingContext implements ForwardContext {

    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<String> notices = new CopyOnWriteArrayList<>();
    private final String name;
    private final Endpoint bound;
    volatile ConnectionHandler handler;

    /**
     * @param name the forward's name
     * @param bound what {@code serve} says it bound
     */
    RecordingContext(String name, Endpoint bound) {
        this.name = name;
        this.bound = bound;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SshConnection connection() {
        throw new AssertionError("this test needs no SSH connection");
    }

    @Override
    public Endpoint serve(String bindAddress, int port, ConnectionHandler handler) {
        this.handler = handler;
        return bound;
    }

    @Override
    public Socket connect(Endpoint target) {
        throw new AssertionError("a dynamic forward connects nowhere from this machine");
    }

    @Override
    public void pump(Socket socket, SshChannel channel, byte[] pending) {
        throw new AssertionError("this test needs no SSH channel");
    }

    @Override
    public void pumpWhenOpen(Socket socket, CompletionStage<? extends SshChannel> channel, byte[] pending) {
        throw new AssertionError("this test needs no SSH channel");
    }

    @Override
    public void connectionFailed(String message, Throwable cause) {
        failures.add(message);
    }

    @Override
    public void notice(String message) {
        notices.add(message);
    }
}
