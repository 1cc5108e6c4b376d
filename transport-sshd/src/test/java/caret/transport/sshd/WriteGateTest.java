package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private final WriteGate gate = new WriteGate();

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
        CountDownLatch writerIn = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            gate.lock();
            try {
                writerIn.countDown();
                await(asked);
                order.add("data");
            } finally {
                gate.unlock();
            }
        });
        writerIn.await();
        gate.runAfterWriter(() -> {
            order.add("close");
            ranOn.set(Thread.currentThread());
        });
        assertEquals(List.of(), order, "the asking thread returned without running it or waiting");
        asked.countDown();
        writer.join();
        assertEquals(List.of("data", "close"), order);
        assertSame(writer, ranOn.get());
    }

    @Test
    void actionsLeftForTheWriterRunInTheOrderAsked() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch writerIn = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            gate.lock();
            writerIn.countDown();
            await(asked);
            gate.unlock();
        });
        writerIn.await();
        for (int i = 0; i < 5; i++) {
            int n = i;
            gate.runAfterWriter(() -> order.add(n));
        }
        asked.countDown();
        writer.join();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void aFailingLeftActionDoesNotStopTheOthersNorTheWriter() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch writerIn = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            gate.lock();
            writerIn.countDown();
            await(asked);
            gate.unlock();
        });
        writerIn.await();
        gate.runAfterWriter(() -> {
            throw new IOException("the session closed meanwhile");
        });
        gate.runAfterWriter(ran::incrementAndGet);
        asked.countDown();
        writer.join();
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
