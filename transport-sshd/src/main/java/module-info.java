/** Apache MINA SSHD behind the {@link caret.spi.SshTransport} SPI. Exports nothing. */
module caret.transport.sshd {
    requires caret.spi;
    requires jdk.management;
    requires jdk.net;
    requires org.apache.sshd.osgi;
    requires org.slf4j;
    requires org.bouncycastle.provider;

    provides caret.spi.SshTransport with caret.transport.sshd.SshdTransport;
}
