package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.spi.Endpoint;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -L}: a port on this machine to a destination as the server sees it. */
class LocalForwardTest extends ForwardContract {

    @Override
    String type() {
        return "local";
    }

    @Override
    String spec(int port, Endpoint destination) {
        return port + ":" + destination.host() + ":" + destination.port();
    }

    @Override
    Socket open(Forward forward, Endpoint destination) throws IOException {
        return Fixtures.connect(forward.status().address());
    }

    @Override
    List<String> curl(Forward forward, int webPort) {
        return List.of("http://" + forward.status().address() + "/");
    }

    @Test
    void listensOnLoopbackByDefault() {
        assertEquals("127.0.0.1", forward.status().address().host());
        assertTrue(!forward.status().onServer());
    }

    @Test
    void announcesThePortItPickedForPortZero() {
        int port = forward.status().address().port();
        assertTrue(port > 0);
        assertTrue(events.contains(new ForwardEvent.Notice(server.name(), forward.name(),
                "Allocated port " + port + " for local forward to " + echo.endpoint())), events::toString);
    }
}
