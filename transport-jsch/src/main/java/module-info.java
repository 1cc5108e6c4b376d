/**
 * JSch behind the {@link caret.spi.SshTransport} SPI. Exports nothing to users; the one qualified
 * export lets JSch instantiate the cipher it is configured with by class name (see
 * {@code caret.transport.jsch.byname}).
 */
module caret.transport.jsch {
    requires caret.spi;
    requires com.jcraft.jsch;
    requires org.slf4j;
    requires jdk.net;
    requires org.bouncycastle.provider;

    exports caret.transport.jsch.byname to com.jcraft.jsch;

    provides caret.spi.SshTransport with caret.transport.jsch.JschTransport;
}
