package caret.launcher;

import caret.core.Caret;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Connection settings for the test sshd: its user key, its host key in a known_hosts of its own, strict checking. */
final class Fixtures {

    private Fixtures() {
    }

    /** A TCP connection to {@code address}, as an application opens one, with timeouts that fail a hung test. */
    static Socket connect(Endpoint address) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(address.host(), address.port()), 10_000);
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static ConnectionSettings settings(OpenSshServer sshd) {
        return settings(sshd, List.of(sshd.userKey()), sshd.knownHosts(), HostKeyPolicy.YES);
    }

    static ConnectionSettings settings(OpenSshServer sshd, List<Path> keys, Path knownHosts, HostKeyPolicy policy) {
        // No keepalive here: the transport contract tests keepalive itself, and JSch takes any global reply for
        // the one it waits on, so a keepalive answered during a tcpip-forward can fail it (a known JSch limit).
        return new ConnectionSettings(sshd.endpoint(), sshd.user(), keys,
                Caret.knownHosts(List.of(knownHosts), policy, HostKeyPrompt.NONE),
                CredentialPrompt.NONE, Duration.ZERO, 3, Duration.ofSeconds(10));
    }
}
