package caret.launcher.control;

import caret.core.ServerStatus;
import java.util.List;

/**
 * A server's status as {@code caret status --json} prints it.
 *
 * @param name its name
 * @param host the host it connects to
 * @param port the port it connects to
 * @param transport the transport's id
 * @param state {@code CONNECTING}, {@code UP}, {@code RECONNECTING}, {@code FAILED} or {@code CLOSED}
 * @param attempt the reconnect attempt under way, 0 while up
 * @param lastError why it is not up, or the last reason it dropped
 * @param forwards its forwards
 */
public record ServerReport(String name, String host, int port, String transport, String state, int attempt,
        String lastError, List<ForwardReport> forwards) {

    public static ServerReport of(ServerStatus status) {
        return new ServerReport(status.name(), status.server().host(), status.server().port(), status.transport(),
                status.state().name(), status.attempt(), status.lastError(),
                status.forwards().stream().map(ForwardReport::of).toList());
    }
}
