/**
 * Caret's two service provider interfaces: {@link caret.spi.ForwardType}, a kind of forward, and
 * {@link caret.spi.SshTransport}, an SSH library. Depends on {@code java.base} only.
 */
module caret.spi {
    exports caret.spi;
}
