package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.Forward;
import caret.core.ForwardEvent;
import caret.spi.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
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

    /**
     * 1 GiB from a destination that writes as fast as it is let, to an application that reads 8
     * MiB/s: SSH flow control holds the destination back, so the live heap stays flat (sampled
     * after full collections every 4 s). The benchmark runs the same at 1 MiB/s, 17 minutes per
     * transport ({@code bench/run --only slowreader --slow-bytes 1G}); the rate only sets how long
     * it takes, as long as the reader is far slower than the forward.
     */
    @Test
    void aSlowReaderOfOneGibKeepsTheHeapFlat() throws Exception {
        long total = 1L << 30;
        long rate = 8L << 20;
        try (EndlessSource source = new EndlessSource(total)) {
            Forward toSource = start(0, source.endpoint());
            try (Socket reader = open(toSource, source.endpoint())) {
                InputStream in = reader.getInputStream();
                byte[] buffer = new byte[64 * 1024];
                List<Long> heap = new ArrayList<>();
                long start = System.nanoTime();
                long nextSample = start;
                long read = 0;
                while (read < total) {
                    long now = System.nanoTime();
                    if (now >= nextSample) {
                        heap.add(Resources.liveHeap());
                        nextSample += Duration.ofSeconds(4).toNanos();
                    }
                    if (read >= (now - start) / 1_000_000_000.0 * rate) {
                        LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // the reader's pace: this is the load
                        continue;
                    }
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, total - read));
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                assertEquals(total, read, "every byte arrived");
                long first = heap.get(0);
                long max = heap.stream().mapToLong(Long::longValue).max().orElseThrow();
                assertTrue(max - first <= 16L << 20, "live heap first " + (first >> 20) + " MiB, at most " + (max >> 20)
                        + " MiB over " + heap.size() + " samples");
                assertTrue(source.written() <= total, "the source wrote no more than asked");
                Reliability.record("slow reader on " + transport + ": 1 GiB at 8 MiB/s; live heap first " + (first >> 20)
                        + " MiB, at most " + (max >> 20) + " MiB, last " + (heap.get(heap.size() - 1) >> 20) + " MiB, "
                        + heap.size() + " samples");
            } finally {
                toSource.stop();
            }
        }
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
