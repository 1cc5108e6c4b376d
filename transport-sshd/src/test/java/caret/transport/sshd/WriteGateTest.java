package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write gate on its own: an action asked for while a writer is in runs once, after the writer,
 * on the writer's thread as it leaves, and the thread that asked never waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteGateTest {

    private final WriteGate gate = new WriteGate("the test's channel");

    @Test
    void runsAtOnceOnTheCallersThreadWhenNoWriterIsIn() {
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        gate.runAfterWriter(() -> ranOn.set(Thread.currentThread()));
        assertSame(caller, ranOn.get());
    }

    @Test
    void anActionRunAtOnceThrowsToTheCaller() {
        IOException thrown = assertThrows(IOException.class, () -> gate.runAfterWriter(() -> {
            throw new IOException("no CLOSE today");
        }));
        assertEquals("no CLOSE today", thrown.getMessage());
        assertTrue(gate.tryLock(), "the gate is free again");
        gate.unlock();
    }

    @Test
    void whileAWriterIsInTheActionWaitsForItAndRunsOnItsThread() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Writer writer = new Writer(() -> order.add("data"));
        gate.runAfterWriter(() -> {
            order.add("close");
            ranOn.set(Thread.currentThread());
        });
        assertEquals(List.of(), order, "the asking thread returned without running it or waiting");
        assertSame(writer.leave(), ranOn.get());
        assertEquals(List.of("data", "close"), order);
    }

    @Test
    void aWriterThatAsksRunsTheActionAsItLeavesNotInTheMiddleOfItsWrite() {
        List<String> order = new ArrayList<>();
        gate.lock();
        gate.lock(); // a write within a write, as a flush inside a write
        gate.runAfterWriter(() -> order.add("close"));
        order.add("data");
        gate.unlock();
        assertEquals(List.of("data"), order, "still in: the action waits");
        gate.unlock();
        assertEquals(List.of("data", "close"), order);
    }

    @Test
    void actionsLeftForTheWriterRunInTheOrderAsked() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Writer writer = new Writer(() -> { });
        for (int i = 0; i < 5; i++) {
            int n = i;
            gate.runAfterWriter(() -> order.add(n));
        }
        writer.leave();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void aFailingLeftActionDoesNotStopTheOthersNorTheWriter() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Writer writer = new Writer(() -> { });
        gate.runAfterWriter(() -> {
            throw new IOException("the session closed meanwhile");
        });
        gate.runAfterWriter(ran::incrementAndGet);
        writer.leave();
        assertEquals(1, ran.get());
        assertTrue(gate.tryLock(), "the gate is free again");
        gate.unlock();
    }

    /**
     * A writer leaves just as an action is asked for, many times over: each action has run by the
     * time both are done, with no later writer to pick it up.
     */
    @Test
    void noActionIsLostWhenTheWriterLeavesAsItIsAsked() throws Exception {
        int rounds = 20_000;
        AtomicInteger ran = new AtomicInteger();
        CyclicBarrier go = new CyclicBarrier(2);
        CyclicBarrier done = new CyclicBarrier(2);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                gate.lock();
                await(go);
                gate.unlock();
                await(done);
            }
        });
        for (int i = 0; i < rounds; i++) {
            await(go);
            gate.runAfterWriter(ran::incrementAndGet);
            await(done);
            assertEquals(i + 1, ran.get(), "round " + i);
        }
        writer.join();
    }

    /** A writer on a thread of its own: in the gate once constructed, until told to leave. */
    private final class Writer {
        private final CountDownLatch in = new CountDownLatch(1);
        private final CountDownLatch mayLeave = new CountDownLatch(1);
        private final AtomicReference<Throwable> failed = new AtomicReference<>();
        private final Thread thread;

        /** @param lastWork what it does just before it leaves */
        Writer(Runnable lastWork) {
            thread = Thread.ofPlatform().start(() -> {
                try {
                    gate.lock();
                    try {
                        in.countDown();
                        await(mayLeave);
                        lastWork.run();
                    } finally {
                        gate.unlock();
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            await(in);
        }

        /**
         * Lets it leave and waits until it has: it runs what was left for it on its way out, and
         * nothing of that reaches it.
         */
        Thread leave() throws InterruptedException {
            mayLeave.countDown();
            thread.join();
            assertNull(failed.get(), "the writer's own thread got an exception");
            return thread;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
