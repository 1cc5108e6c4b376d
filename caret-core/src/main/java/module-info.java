/**
 * The Caret engine: finds forward types and transports with {@link java.util.ServiceLoader}, owns
 * connections and the lifecycle of forwards, pumps bytes, and reports status and events. Knows no
 * plugin and no SSH library. Its API is the {@code caret.core} package; start at
 * {@link caret.core.Caret}.
 */
module caret.core {
    requires transitive caret.spi;
    requires org.slf4j;

    exports caret.core;

    uses caret.spi.ForwardType;
    uses caret.spi.SshTransport;
}
