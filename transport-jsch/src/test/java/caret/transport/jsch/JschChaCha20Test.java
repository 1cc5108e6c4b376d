package caret.transport.jsch;

import caret.spi.SshTransport;
import caret.testkit.SshTransportContract;

/**
 * The transport contract on JSch with a server that allows only {@code chacha20-poly1305}: our
 * cipher class for it ({@code byname.ChaCha20Poly1305}) carries every byte, shows the server's
 * refusal text to {@code PacketTap} (the refused-destination test reads it), and lets the
 * close-while-writing hook run ({@code survivesChannelsTheServerClosesWhileTheirWritersRun}: sshd
 * dropped the connection there with JSch's own ChaCha20 class).
 */
class JschChaCha20Test extends SshTransportContract {

    @Override
    protected SshTransport transport() {
        return new JschTransport();
    }

    @Override
    protected String[] sshdConfig() {
        return new String[] {"Ciphers chacha20-poly1305@openssh.com"};
    }

    /** As in {@link JschTransportTest}: see JschChannel. */
    @Override
    protected boolean closeWakesABlockedWriter() {
        return false;
    }
}
