package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.testkit.SshTransportContract;

import org.junit.jupiter.api.Test;

/** The transport contract on MINA SSHD, plus what only MINA has: a shared client with its own threads. */
class SshdTransportTest extends SshTransportContract {

    @Override
    protected SshTransport transport() {
        return new SshdTransport();
    }

    @Test
    void describesItselfAsMina() {
        SshTransport transport = transport();
        assertTrue("sshd".equals(transport.id()), transport.id());
        assertTrue(transport.description().startsWith("Apache MINA SSHD 2."), transport.description());
    }

    @Test
    void stopsMinasClientThreadsWithTheLastConnection() throws Exception {
        SshTransport own = new SshdTransport();
        for (int i = 0; i < 3; i++) {
            try (SshConnection connection = own.connect(settings(sshd))) {
                assertTrue(connection.isOpen());
                assertTrue(minaThreads() > 0, "MINA's client threads run while connected");
            }
        }
        awaitCondition("MINA client threads end", () -> minaThreads() == 0);
    }

    private static long minaThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("sshd-" + TunnellingClient.class.getSimpleName()))
                .count();
    }
}
