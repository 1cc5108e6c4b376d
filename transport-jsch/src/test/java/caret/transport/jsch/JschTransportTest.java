package caret.transport.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.SshTransport;
import caret.testkit.SshTransportContract;

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

    @Test
    void describesItselfAsJsch() {
        SshTransport transport = transport();
        assertEquals("jsch", transport.id());
        assertTrue(transport.description().startsWith("JSch 2."), transport.description());
    }
}
