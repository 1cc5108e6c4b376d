package caret.transport.sshd;

import caret.spi.ConnectionSettings;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;

import org.apache.sshd.client.SshClient;

/**
 * Apache MINA SSHD behind {@link SshTransport}: id {@code sshd}.
 *
 * <p>One MINA {@code SshClient} (one bounded pool of I/O threads) serves every connection of this
 * transport instance. It starts with the first connection and stops when the last one ends, so a
 * closed or dropped connection leaves no thread behind.
 */
public final class SshdTransport implements SshTransport {

    static {
        JdkEd25519.install(); // before MINA's first look for ed25519 support
    }

    private final SharedClient client = new SharedClient();

    public SshdTransport() {
    }

    @Override
    public String id() {
        return "sshd";
    }

    @Override
    public String description() {
        return "Apache MINA SSHD " + minaVersion();
    }

    @Override
    public SshConnection connect(ConnectionSettings settings) throws TransportException {
        return Connector.connect(client, settings);
    }

    private static String minaVersion() {
        Module module = SshClient.class.getModule();
        if (module.isNamed() && module.getDescriptor() != null) {
            return module.getDescriptor().rawVersion().orElse("2.x");
        }
        String version = SshClient.class.getPackage().getImplementationVersion();
        return version == null ? "2.x" : version;
    }
}
