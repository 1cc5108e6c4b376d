package caret.launcher;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gives the heap back after a burst of traffic. Serial GC, which {@code ./caret} runs, grows the
 * old generation with what a load promotes (data in flight in the channels' buffers) and keeps it
 * committed until a full collection, which an idle process never has: after a 64-stream transfer
 * an idle Caret held 220 MiB of RSS where 140 MiB were enough, and after the benchmark's load 28 MiB
 * of old generation with 5 MiB live. So once a second this looks at the heap: when nothing was
 * allocated since the last look (the process is quiet) and more than {@link #SLACK} is committed
 * beyond what the last trim left, it runs one full collection, which returns the free old generation
 * to the system ({@code ./caret} sets {@code -XX:-ShrinkHeapInSteps} so that it does at once, and
 * {@code -XX:MaxHeapFreeRatio=40} so that it keeps no more than 40 % free). A busy process is never
 * paused by it; an idle one at most once per burst, for about 20 ms.
 */
final class HeapTrim {

    /** How often the heap is looked at. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    /** Committed heap beyond the last trim's that is worth a full collection (of an idle process). */
    static final long SLACK = 8L << 20;

    /** Allocated since the last look, below which the process counts as quiet. */
    static final long QUIET = 1L << 20;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private long lastUsed = -1;
    private long floor;

    /** @param committed the heap committed at the start */
    HeapTrim(long committed) {
        this.floor = committed;
    }

    /**
     * One look at the heap.
     *
     * @param used the heap in use now (live and garbage)
     * @param committed the heap committed now
     * @return whether to collect now
     */
    boolean due(long used, long committed) {
        // used only falls at a collection: then the process was not quiet
        boolean quiet = lastUsed >= 0 && used >= lastUsed && used - lastUsed < QUIET;
        lastUsed = used;
        return quiet && committed > floor + SLACK;
    }

    /** After the collection that {@link #due} asked for: what it left is the new floor. */
    void collected(long used, long committed) {
        lastUsed = used;
        floor = committed;
    }

    /** Looks at this JVM's heap every {@link #PERIOD}, until the JVM ends; once per JVM. */
    static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Runtime runtime = Runtime.getRuntime();
        HeapTrim trim = new HeapTrim(runtime.totalMemory());
        Thread.ofVirtual().name("caret-heap-trim").start(() -> {
            try {
                while (true) {
                    Thread.sleep(PERIOD);
                    long committed = runtime.totalMemory();
                    if (trim.due(committed - runtime.freeMemory(), committed)) {
                        System.gc();
                        trim.collected(runtime.totalMemory() - runtime.freeMemory(), runtime.totalMemory());
                    }
                }
            } catch (InterruptedException e) {
                // nobody interrupts it; a virtual thread ends with the JVM
            }
        });
    }
}
