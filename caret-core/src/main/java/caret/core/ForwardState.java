package caret.core;

/** Where a forward is in its life. */
public enum ForwardState {
    /** Being set up: binding, asking the server to listen. */
    STARTING,
    /** Accepting connections at its address. */
    READY,
    /** Could not start, or its SSH connection was lost; see the last error. */
    FAILED,
    /** Stopped by the user. */
    STOPPED
}
