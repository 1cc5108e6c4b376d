package caret.launcher.control;

import caret.core.ForwardStatus;

/**
 * A forward's status as {@code caret status --json} prints it. Holds no option values: a SOCKS
 * password never leaves the process that was given it.
 *
 * @param name its name
 * @param kind its forward type's id
 * @param spec its spec as written
 * @param state {@code STARTING}, {@code READY}, {@code WAITING}, {@code FAILED}, {@code OFF} or {@code STOPPED}
 * @param connectTo the address to connect to, {@code host:port}, once ready
 * @param onServer whether that address is on the server (a reverse forward)
 * @param openConnections connections carried now
 * @param bytesToServer bytes carried from applications to the server since it started
 * @param bytesFromServer bytes carried from the server to applications since it started
 * @param lastError the last failure of the forward or of one of its connections
 */
public record ForwardReport(String name, String kind, String spec, String state, String connectTo, boolean onServer,
        int openConnections, long bytesToServer, long bytesFromServer, String lastError) {

    public static ForwardReport of(ForwardStatus status) {
        return new ForwardReport(status.name(), status.spec().type(), status.spec().text(), status.state().name(),
                status.connectTo().map(Object::toString).orElse(null), status.onServer(), status.openConnections(),
                status.bytesToServer(), status.bytesFromServer(), status.lastError());
    }
}
