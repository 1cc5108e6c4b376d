package caret.transport.jsch;

import caret.spi.ConnectionSettings;
import caret.spi.SshConnection;
import caret.spi.SshTransport;
import caret.spi.TransportException;

import com.jcraft.jsch.JSch;

/**
 * JSch behind {@link SshTransport}: id {@code jsch}. Every connection has its own JSch session
 * and its own threads (JSch's session thread, one per forwarded channel), all ended by close or
 * drop. See the package documentation for what JSch needed to meet the SPI.
 */
public final class JschTransport implements SshTransport {

    public JschTransport() {
    }

    @Override
    public String id() {
        return "jsch";
    }

    @Override
    public String description() {
        return "JSch " + jschVersion();
    }

    @Override
    public SshConnection connect(ConnectionSettings settings) throws TransportException {
        return Connector.connect(settings);
    }

    private static String jschVersion() {
        Module module = JSch.class.getModule();
        if (module.isNamed() && module.getDescriptor() != null) {
            return module.getDescriptor().rawVersion().orElse(JSch.VERSION);
        }
        return JSch.VERSION;
    }
}
