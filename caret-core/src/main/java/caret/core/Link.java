package caret.core;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A server's SSH connection as its forwards hold it: the same object across reconnects. While the
 * connection is down, opening a channel or a listen fails at once with the reason, so an
 * application connecting meanwhile is told rather than kept waiting.
 */
final class Link implements SshConnection {

    private final Endpoint server;
    private volatile SshConnection current;
    private volatile String down = "not connected yet";

    Link(Endpoint server) {
        this.server = server;
    }

    /** Puts a fresh connection in place. */
    void up(SshConnection connection) {
        current = connection;
    }

    /** Takes the connection out, saying why; returns the one that was in place, if any. */
    SshConnection down(String reason) {
        SshConnection was = current;
        down = reason;
        current = null;
        return was;
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        return live().openChannel(target, originator);
    }

    @Override
    public CompletionStage<SshChannel> openChannelAsync(Endpoint target, Endpoint originator) {
        try {
            return live().openChannelAsync(target, originator);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException {
        return live().listen(bind, handler);
    }

    @Override
    public void onDrop(Consumer<IOException> listener) {
        SshConnection connection = current;
        if (connection == null) {
            listener.accept(new IOException(down));
        } else {
            connection.onDrop(listener);
        }
    }

    @Override
    public boolean isOpen() {
        SshConnection connection = current;
        return connection != null && connection.isOpen();
    }

    @Override
    public Endpoint server() {
        return server;
    }

    @Override
    public void close() {
        SshConnection connection = down("closed");
        if (connection != null) {
            connection.close();
        }
    }

    private SshConnection live() throws IOException {
        SshConnection connection = current;
        if (connection == null) {
            throw new IOException("the SSH connection to " + server + " is down (" + down + "); Caret is reconnecting");
        }
        return connection;
    }
}
