package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.spi.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -R}: a port on the server (its loopback here, as sshd runs on 127.0.0.1) back to a destination on this machine. */
class ReverseForwardTest extends ForwardContract {

    @Override
    String type() {
        return "reverse";
    }

    /**
     * IPv4 only. Asked for its loopback and port 0, an sshd of both families takes a free port on
     * {@code ::1} and, when another program holds that port on 127.0.0.1, listens on {@code ::1}
     * alone: these tests, which connect to 127.0.0.1, then reached that program (seen in CI: curl
     * got the echo server).
     */
    @Override
    String[] sshdConfig() {
        return new String[] {"AddressFamily inet"};
    }

    @Override
    String spec(int port, Endpoint destination) {
        return port + ":" + destination.host() + ":" + destination.port();
    }

    @Override
    Socket open(Forward forward, Endpoint destination) throws IOException {
        return Fixtures.connect(new Endpoint("127.0.0.1", forward.status().address().port())); // the server is this machine
    }

    @Override
    List<String> curl(Forward forward, int webPort) {
        return List.of("http://127.0.0.1:" + forward.status().address().port() + "/");
    }

    @Override
    void assertReleased(Endpoint address) {
        Await.until("the server to stop listening on " + address, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", address.port()), 1000);
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (IOException other) {
                return false;
            }
        });
    }

    @Test
    void asksTheServerForItsLoopbackByDefault() {
        assertEquals(new Endpoint("localhost", forward.status().address().port()), forward.status().address());
        assertTrue(forward.status().onServer());
    }

    @Test
    void announcesThePortTheServerAllocated() {
        int port = forward.status().address().port();
        assertTrue(port > 0);
        assertTrue(events.contains(new ForwardEvent.Notice(server.name(), forward.name(),
                "Allocated port " + port + " for remote forward to " + echo.endpoint())), events::toString);
    }
}
