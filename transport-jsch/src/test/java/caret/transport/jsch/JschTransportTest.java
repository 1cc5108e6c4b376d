package caret.transport.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.testkit.OpenSshServer;
import caret.testkit.SshTransportContract;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The transport contract on JSch. */
class JschTransportTest extends SshTransportContract {

    @Override
    protected SshTransport transport() {
        return new JschTransport();
    }

    /** JSch cannot wake a writer parked on the window without risking the session: see JschChannel. */
    @Override
    protected boolean closeWakesABlockedWriter() {
        return false;
    }

    /**
     * The channels we open offer the server OpenSSH's 2 MiB window and 32 KiB packets, not JSch's
     * 128 KiB and 16 KiB ({@link JschConnection#CHANNEL_WINDOW}): read from sshd's own log, which
     * names the sizes a client offered, with more than a window of bytes carried both ways.
     */
    @Test
    void offersOpenSshsWindowAndPacketSize() throws Exception {
        try (OpenSshServer verbose = OpenSshServer.start(dir.resolve("verbose"), "LogLevel DEBUG")) {
            try (SshConnection connection = transport().connect(settings(verbose))) {
                bulkEcho(connection, 9, 3L << 20);
            }
            Pattern offered = Pattern.compile("ctype direct-tcpip rchan \\d+ win " + JschConnection.CHANNEL_WINDOW
                    + " max " + JschConnection.CHANNEL_PACKET + "\\b");
            String log = verbose.log();
            assertTrue(log.lines().anyMatch(line -> offered.matcher(line).find()), "sshd's log:\n" + log);
        }
    }

    @Test
    void describesItselfAsJsch() {
        SshTransport transport = transport();
        assertEquals("jsch", transport.id());
        assertTrue(transport.description().startsWith("JSch 2."), transport.description());
    }
}
