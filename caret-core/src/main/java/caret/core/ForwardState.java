package caret.core;

/** Where a forward is in its life. */
public enum ForwardState {
    /** Being set up: binding, asking the server to listen. */
    STARTING,
    /** Accepting connections at its address. */
    READY,
    /**
     * On, but waiting: for the SSH connection to come back (local listeners keep their ports
     * meanwhile), or for the server to give back a remote port. The last error says which.
     */
    WAITING,
    /** Could not start, or its SSH connection was lost for good; see the last error. */
    FAILED,
    /** Switched off by the user; it keeps its place and can be switched on again. */
    OFF,
    /** Stopped by the user. */
    STOPPED
}
