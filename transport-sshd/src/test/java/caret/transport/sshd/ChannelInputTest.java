package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.NonBlockingChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel input on its own: what MINA's thread receives comes out in order, once, whether it
 * went straight into a waiting reader's buffer or through the ring.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelInputTest {

    private final ChannelInput input = new ChannelInput(closedWindow());

    /** A window that is not open: reading gives nothing back to a peer (there is none here). */
    private static LocalWindow closedWindow() {
        LocalWindow window = new DirectChannel(new SshdSocketAddress("127.0.0.1", 1),
                new SshdSocketAddress("127.0.0.1", 2)).getLocalWindow();
        try {
            window.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return window;
    }

    @Test
    void aWaitingReaderGetsWhatFitsItsBufferAndTheRestComesNextInOrder() throws Exception {
        byte[] buffer = new byte[10];
        CompletableFuture<Integer> first = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                first.complete(input.read(buffer, 0, buffer.length));
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        });
        awaitWaiting(reader);
        byte[] sent = bytes(25, 1);
        input.receive(sent, 0, 25);
        input.receive(bytes(5, 100), 0, 5); // while the reader may not have run yet
        assertEquals(10, first.get(10, TimeUnit.SECONDS));
        assertArrayEquals(Arrays.copyOfRange(sent, 0, 10), buffer);
        byte[] rest = new byte[64];
        int n = input.read(rest, 0, rest.length);
        assertEquals(20, n);
        assertArrayEquals(Arrays.copyOfRange(sent, 10, 25), Arrays.copyOfRange(rest, 0, 15));
        assertArrayEquals(bytes(5, 100), Arrays.copyOfRange(rest, 15, 20));
    }

    @Test
    void endsAfterTheLastByteOnEof() throws Exception {
        input.receive(bytes(3, 7), 0, 3);
        input.eof();
        byte[] buffer = new byte[8];
        assertEquals(3, input.read(buffer, 0, 8));
        assertEquals(-1, input.read(buffer, 0, 8));
    }

    @Test
    void closeWakesAWaitingReaderWithAnError() throws Exception {
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                input.read(new byte[4], 0, 4);
                end.complete(null);
            } catch (Throwable t) {
                end.complete(t);
            }
        });
        awaitWaiting(reader);
        input.close();
        assertTrue(end.get(10, TimeUnit.SECONDS) instanceof IOException);
        input.receive(bytes(4, 0), 0, 4); // dropped once closed
        assertThrows(IOException.class, () -> input.read(new byte[4], 0, 4));
    }

    /** Random packet and read sizes on two threads: every byte arrives once, in order. */
    @Test
    void deliversEveryByteInOrderWhateverTheInterleaving() throws Exception {
        byte[] data = bytes(4 * 1024 * 1024, 42);
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            SplittableRandom random = new SplittableRandom(1);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = input.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0; ) {
                    all.write(buffer, 0, n);
                }
                read.complete(all.toByteArray());
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        });
        SplittableRandom random = new SplittableRandom(2);
        for (int off = 0; off < data.length; ) {
            int len = Math.min(data.length - off, 1 + random.nextInt(40 * 1024));
            input.receive(data, off, len);
            off += len;
            if (random.nextInt(8) == 0) {
                Thread.yield();
            }
        }
        input.eof();
        assertArrayEquals(data, read.get(30, TimeUnit.SECONDS));
    }

    /**
     * A receiver gets data only while nothing is unread and the reader is not busy with what it
     * read last: what the receiver leaves is read next, in order, and data that arrives meanwhile
     * queues behind it; once the reader is back for more, the receiver is offered again.
     */
    @Test
    void aReceiverIsOfferedDataOnlyWhileNothingIsUnread() throws Exception {
        Taker receiver = new Taker(4);
        ByteArrayOutputStream taken = receiver.taken;
        int[] offers = receiver.offers;
        assertTrue(input.deliverTo(receiver));
        byte[] first = bytes(10, 1);
        input.receive(first, 0, 10); // 4 taken, 6 kept
        input.receive(bytes(3, 2), 0, 3); // behind the 6: not offered
        assertEquals(1, offers[0]);
        assertArrayEquals(Arrays.copyOfRange(first, 0, 4), taken.toByteArray());
        byte[] buffer = new byte[64];
        assertEquals(9, input.read(buffer, 0, buffer.length));
        assertArrayEquals(Arrays.copyOfRange(first, 4, 10), Arrays.copyOfRange(buffer, 0, 6));
        assertArrayEquals(bytes(3, 2), Arrays.copyOfRange(buffer, 6, 9));
        input.receive(bytes(2, 3), 0, 2); // the reader may still be passing those 9 bytes on: queued
        assertEquals(1, offers[0]);
        assertEquals(2, input.read(buffer, 0, buffer.length));
        CompletableFuture<Integer> end = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                end.complete(input.read(new byte[8], 0, 8));
            } catch (IOException e) {
                end.completeExceptionally(e);
            }
        });
        awaitWaiting(reader); // back for more, with nothing unread: the receiver is offered again
        input.receive(bytes(2, 4), 0, 2);
        assertEquals(2, offers[0]);
        input.eof();
        assertEquals(-1, end.get(10, TimeUnit.SECONDS));
        assertEquals(0, receiver.ends, "a waiting reader sees the end itself");
        byte[] all = taken.toByteArray();
        assertArrayEquals(bytes(2, 4), Arrays.copyOfRange(all, all.length - 2, all.length));
    }

    /**
     * Without a reader, the end goes to the receiver, once (MINA signals it at EOF and again as the
     * channel closes), and a read then returns -1 at once; a reader still busy with its last read
     * sees the end itself, as does one that must read what came before the receiver was set.
     */
    @Test
    void theEndGoesToTheReceiverOnlyWhenNoReaderIsThere() throws Exception {
        Taker receiver = new Taker(Integer.MAX_VALUE);
        assertTrue(input.deliverTo(receiver));
        input.receive(bytes(5, 1), 0, 5);
        input.eof();
        input.eof();
        assertEquals(1, receiver.ends);
        assertEquals(-1, input.read(new byte[8], 0, 8));
        assertArrayEquals(bytes(5, 1), receiver.taken.toByteArray());

        ChannelInput holding = new ChannelInput(closedWindow());
        Taker second = new Taker(0);
        assertTrue(holding.deliverTo(second));
        holding.receive(bytes(5, 2), 0, 5); // kept: the receiver took nothing
        assertEquals(5, holding.read(new byte[8], 0, 8)); // the reader holds these now
        holding.eof();
        assertEquals(0, second.ends);
        assertEquals(-1, holding.read(new byte[8], 0, 8));

        ChannelInput early = new ChannelInput(closedWindow());
        early.receive(bytes(3, 3), 0, 3);
        early.eof();
        Taker third = new Taker(Integer.MAX_VALUE);
        assertFalse(early.deliverTo(third), "data and the end came first: a reader must see to them");
        assertEquals(3, early.read(new byte[8], 0, 8));
        assertEquals(-1, early.read(new byte[8], 0, 8));
        assertEquals(0, third.ends);
    }

    /**
     * A receiver set while MINA's thread delivers data: either the receiver gets it, or
     * {@code deliverTo} says that data came first and a reader finds it; never neither. (A reverse
     * forward's first bytes can arrive just as the pump starts.)
     */
    @Test
    void dataArrivingAsTheReceiverIsSetReachesItOrAReader() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        ChannelInput[] inputs = new ChannelInput[1];
        Thread transport = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    together.await();
                    inputs[0].receive(bytes(3, i), 0, 3);
                    together.await();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 20_000; i++) {
            inputs[0] = new ChannelInput(closedWindow());
            Taker receiver = new Taker(Integer.MAX_VALUE);
            together.await();
            boolean hearsOfEverything = inputs[0].deliverTo(receiver);
            together.await();
            if (hearsOfEverything) {
                assertArrayEquals(bytes(3, i), receiver.taken.toByteArray(), "round " + i);
            } else {
                byte[] read = new byte[8];
                int n = inputs[0].read(read, 0, read.length);
                assertArrayEquals(bytes(3, i), Arrays.copyOf(read, Math.max(n, 0)), "round " + i);
                assertEquals(0, receiver.taken.size(), "round " + i);
            }
        }
        transport.join();
    }

    /** A receiver that takes at most {@code most} bytes of each offer and counts the ends it is told. */
    private static final class Taker implements NonBlockingChannel.Receiver {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        final int[] offers = new int[1];
        final int most;
        int ends;

        Taker(int most) {
            this.most = most;
        }

        @Override
        public int take(byte[] data, int off, int len) {
            offers[0]++;
            int n = Math.min(len, most);
            taken.write(data, off, n);
            return n;
        }

        @Override
        public void ended() {
            ends++;
        }
    }

    private static void awaitWaiting(Thread reader) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reader.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the reader waits");
            Thread.sleep(1);
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
