package caret.core;

import caret.spi.Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one server and its forwards, for status displays and scripts.
 *
 * @param name the server's name: its entry in the configuration, or {@code host:port}
 * @param server where it connects
 * @param transport the transport's id
 * @param state where the SSH connection is
 * @param attempt the reconnect attempt under way or next, 0 while connected
 * @param lastError why the connection is not up, or the last reason it dropped; {@code null} if none
 * @param forwards its forwards, in the order they were added
 */
public record ServerStatus(
        String name,
        Endpoint server,
        String transport,
        ConnectionState state,
        int attempt,
        String lastError,
        List<ForwardStatus> forwards) {

    public ServerStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(state, "state");
        forwards = List.copyOf(forwards);
    }
}
