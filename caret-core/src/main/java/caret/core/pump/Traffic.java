package caret.core.pump;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters one forward's pumps add to: open connections and bytes each way. Thread-safe. */
public final class Traffic {

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder toServer = new LongAdder();
    private final LongAdder fromServer = new LongAdder();

    /** Connections being pumped now. */
    public int openConnections() {
        return open.get();
    }

    /** Bytes carried from applications into the SSH connection. */
    public long bytesToServer() {
        return toServer.sum();
    }

    /** Bytes carried from the SSH connection to applications. */
    public long bytesFromServer() {
        return fromServer.sum();
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    void sent(int n) {
        toServer.add(n);
    }

    void received(int n) {
        fromServer.add(n);
    }
}
