package caret.core.pump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.spi.NonBlockingChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The pump against generated traffic: any bytes, cut into any writes on either side, with either
 * side half-closing first, at any point of the other's stream, arrive intact and in order both
 * ways, and the pump closes both ends once both directions are over. A real socket on 127.0.0.1 on
 * one side, an in-memory channel on the other. Both ways of pumping: a thread per direction (a
 * socket without a channel), and without blocking (a socket with one), where the channel takes
 * only part of what it is offered as the window would, in generated steps, and the data it
 * delivers goes to the pump's receiver first. And whatever the channel's packet data size, no write
 * to it carries more than one packet's data (or 1 KiB, for packets smaller than that).
 */
class PumpPropertiesTest {

    /** Socket buffers far smaller than the payloads, so that the kernel takes a write in parts. */
    private static final int SMALL_BUFFER = 4096;

    @Property(tries = 300)
    void anySplitOfAnyBytesArrivesIntactWithHalfCloseAtAnyPoint(@ForAll("payloads") byte[] up, @ForAll("payloads") byte[] down,
            @ForAll("cuts") List<Integer> upCuts, @ForAll("cuts") List<Integer> downCuts, @ForAll boolean appClosesFirst,
            @ForAll("fractions") double overlap, @ForAll boolean nonBlocking, @ForAll("cuts") List<Integer> windows,
            @ForAll("packetSizes") int packetDataSize) throws Exception {
        try (ServerSocket listener = nonBlocking ? ServerSocketChannel.open().socket() : new ServerSocket();
                Socket app = connect(listener);
                Socket accepted = listener.accept()) {
            assertEquals(nonBlocking, accepted.getChannel() != null);
            accepted.setSendBufferSize(SMALL_BUFFER); // the socket takes part of a write: the pump must wait for room
            MemoryChannel channel = new MemoryChannel(windows, packetDataSize);
            CountDownLatch closed = new CountDownLatch(1);
            new Pump("test", accepted, channel, new byte[0], new Traffic(), p -> closed.countDown(), Pump.Side.CHANNEL,
                    (message, e) -> { }).start();

            // The side that half-closes first sends all it has and shuts its output while the other
            // has sent only part (overlap) of its own; then the other sends the rest and shuts too.
            int upSplit = (int) (up.length * (appClosesFirst ? 1 : overlap));
            int downSplit = (int) (down.length * (appClosesFirst ? overlap : 1));
            CompletableFuture<byte[]> appGot = CompletableFuture.supplyAsync(() -> readAll(app), Thread::startVirtualThread);
            CompletableFuture<byte[]> serverGot = CompletableFuture.supplyAsync(channel::readAllWritten, Thread::startVirtualThread);
            OutputStream appOut = app.getOutputStream();
            if (appClosesFirst) {
                writeCut(appOut, up, 0, up.length, upCuts);
                app.shutdownOutput();
                channel.deliverCut(down, 0, downSplit, downCuts);
                channel.deliverCut(down, downSplit, down.length, downCuts);
                channel.deliverEof();
            } else {
                channel.deliverCut(down, 0, down.length, downCuts);
                channel.deliverEof();
                writeCut(appOut, up, 0, upSplit, upCuts);
                writeCut(appOut, up, upSplit, up.length, upCuts);
                app.shutdownOutput();
            }
            assertArrayEquals(up, serverGot.get(20, TimeUnit.SECONDS), "application to server");
            assertArrayEquals(down, appGot.get(20, TimeUnit.SECONDS), "server to application");
            assertTrue(closed.await(20, TimeUnit.SECONDS), "the pump closes once both directions are over");
            assertTrue(channel.closed(), "the channel is closed");
            int most = Math.max(packetDataSize, Pump.MIN_BUFFER); // a read of a tiny packet's data would be a read per byte
            assertTrue(channel.largestWrite() <= most,
                    "no write carries more than one packet's data: " + channel.largestWrite() + " > " + most);
        }
    }

    /**
     * Without blocking, data the socket did not take waits for the thread that writes it as room
     * comes, and data that arrives meanwhile must go after it, though the socket may have room again
     * by then: thousands of small deliveries to an application that reads in small steps.
     */
    @Example
    void dataTheSocketDidNotTakeGoesBeforeNewerData() throws Exception {
        byte[] down = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(down);
        try (ServerSocket listener = ServerSocketChannel.open().socket();
                Socket app = connect(listener);
                Socket accepted = listener.accept()) {
            accepted.setSendBufferSize(SMALL_BUFFER);
            MemoryChannel channel = new MemoryChannel(List.of(70_000), 32 * 1024);
            CountDownLatch closed = new CountDownLatch(1);
            new Pump("test", accepted, channel, new byte[0], new Traffic(), p -> closed.countDown(), Pump.Side.CHANNEL,
                    (message, e) -> { }).start();
            CompletableFuture<byte[]> appGot = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    byte[] step = new byte[1000];
                    for (int n; (n = app.getInputStream().read(step)) >= 0; ) {
                        got.write(step, 0, n);
                    }
                    return got.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Thread::startVirtualThread);
            channel.deliverCut(down, 0, down.length, List.of(1000));
            channel.deliverEof();
            app.shutdownOutput();
            assertArrayEquals(down, appGot.get(20, TimeUnit.SECONDS), "server to application, in order");
            assertTrue(closed.await(20, TimeUnit.SECONDS), "the pump closes once both directions are over");
        }
    }

    /**
     * Requests without an end, as a client that waits for each answer sends them: each reaches the
     * server though the channel holds what the pump tries to write until it flushes, first from the
     * thread that starts the pump, then from the one that reads the sockets.
     */
    @Example
    void eachRequestReachesTheServerWithoutWaitingForMore() throws Exception {
        try (ServerSocket listener = ServerSocketChannel.open().socket();
                Socket app = connect(listener);
                Socket accepted = listener.accept()) {
            MemoryChannel channel = new MemoryChannel(List.of(70_000), 32 * 1024);
            OutputStream appOut = app.getOutputStream();
            appOut.write(new byte[100]); // there before the pump starts: its first read takes it
            new Pump("test", accepted, channel, new byte[0], new Traffic(), p -> { }, Pump.Side.CHANNEL,
                    (message, e) -> { }).start();
            int sent = 100;
            for (int i = 0; i < 20; i++) {
                assertTrue(channel.awaitWritten(sent), "request " + i + " reached the server");
                appOut.write(new byte[100]);
                sent += 100;
            }
            assertTrue(channel.awaitWritten(sent), "the last request reached the server");
        }
    }

    private static Socket connect(ServerSocket listener) throws IOException {
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        Socket app = new Socket();
        app.setReceiveBufferSize(SMALL_BUFFER);
        app.connect(listener.getLocalSocketAddress());
        return app;
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(300_000));
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 70_000).list().ofMinSize(1).ofMaxSize(12);
    }

    /** The channel's packet data size: OpenSSH's, JSch's, and any other, below the pump's largest read and above. */
    @Provide
    Arbitrary<Integer> packetSizes() {
        return Arbitraries.oneOf(Arbitraries.of(32 * 1024, 32 * 1024 - 142), Arbitraries.integers().between(100, 70_000));
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    /** Writes {@code data[from, to)} in writes of the sizes in {@code cuts}, round and round. */
    private static void writeCut(OutputStream out, byte[] data, int from, int to, List<Integer> cuts) throws IOException {
        int i = 0;
        for (int at = from; at < to; i++) {
            int n = Math.min(cuts.get(i % cuts.size()), to - at);
            out.write(data, at, n);
            at += n;
        }
        out.flush();
    }

    private static byte[] readAll(Socket socket) {
        try {
            return socket.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * The server's end of a channel, in memory: what the pump writes is kept, what the test delivers
     * is read, or taken by the pump's receiver while nothing is unread and the reader is back for
     * more, as a transport's reading thread would hand it. {@link #tryWrite} takes what the generated windows allow, one per
     * call, and nothing on every third, and holds it back until {@link #flush} or the next write, as a transport may.
     */
    private static final class MemoryChannel implements NonBlockingChannel {
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        /** Taken by tryWrite, not flushed yet. */
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        private final ArrayDeque<byte[]> deliveries = new ArrayDeque<>();
        private final List<Integer> windows;
        private final int packetDataSize;
        private int largestWrite;
        private int tries;
        private byte[] head;
        private int headAt;
        private boolean eofDelivered;
        private boolean eofReceived;
        private boolean closed;
        private Receiver receiver;
        /** From a read that returned data until the next read: the receiver waits (see NonBlockingChannel). */
        private boolean readerHolds;
        /** A read waits for data: it sees the end itself. */
        private boolean readerWaits;
        private boolean endTold;

        MemoryChannel(List<Integer> windows, int packetDataSize) {
            this.windows = windows;
            this.packetDataSize = packetDataSize;
        }

        @Override
        public int packetDataSize() {
            return packetDataSize;
        }

        synchronized int largestWrite() {
            return largestWrite;
        }

        void deliverCut(byte[] data, int from, int to, List<Integer> cuts) {
            int i = 0;
            for (int at = from; at < to; i++) {
                int n = Math.min(cuts.get(i % cuts.size()), to - at);
                deliver(Arrays.copyOfRange(data, at, at + n));
                at += n;
            }
        }

        private void deliver(byte[] piece) {
            Receiver direct;
            synchronized (this) {
                direct = head == null && deliveries.isEmpty() && !readerHolds && !closed ? receiver : null;
                if (direct == null) { // kept under the same lock, as a transport must: see ChannelInput
                    deliveries.add(piece);
                    notifyAll();
                    return;
                }
            }
            int taken = direct.take(piece, 0, piece.length);
            if (taken < piece.length) {
                synchronized (this) {
                    deliveries.add(Arrays.copyOfRange(piece, taken, piece.length));
                    notifyAll();
                }
            }
        }

        @Override
        public synchronized boolean deliverTo(Receiver receiver) {
            this.receiver = receiver;
            return head == null && deliveries.isEmpty() && !eofDelivered && !closed;
        }

        @Override
        public synchronized int tryWrite(byte[] buffer, int offset, int len) throws IOException {
            int window = windows.get(tries++ % windows.size());
            int n = tries % 3 == 0 ? 0 : Math.min(len, window);
            checkWritable();
            held.write(buffer, offset, n);
            largestWrite = Math.max(largestWrite, n);
            return n;
        }

        @Override
        public synchronized void flush() {
            written.writeBytes(held.toByteArray());
            held.reset();
            notifyAll();
        }

        /** Waits until the pump has sent {@code n} bytes, not counting what it holds back; false after 20 s. */
        synchronized boolean awaitWritten(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (written.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        /** The end: to a read under way, else to the receiver when nothing is unread, as a transport would. */
        void deliverEof() {
            Receiver told = null;
            synchronized (this) {
                eofDelivered = true;
                notifyAll();
                if (receiver != null && !endTold && !closed && !readerHolds && !readerWaits
                        && head == null && deliveries.isEmpty()) {
                    endTold = true;
                    told = receiver;
                }
            }
            if (told != null) {
                told.ended();
            }
        }

        /** Blocks until the pump sent EOF; all it wrote. */
        synchronized byte[] readAllWritten() {
            try {
                while (!eofReceived && !closed) {
                    wait();
                }
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            return written.toByteArray();
        }

        synchronized boolean closed() {
            return closed;
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int len) throws IOException {
            readerHolds = false;
            try {
                while (head == null && deliveries.isEmpty() && !eofDelivered && !closed) {
                    readerWaits = true;
                    wait();
                }
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            } finally {
                readerWaits = false;
            }
            if (closed) {
                throw new IOException("closed");
            }
            if (head == null) {
                head = deliveries.poll();
                headAt = 0;
                if (head == null) {
                    return -1; // EOF after everything delivered
                }
            }
            int n = Math.min(len, head.length - headAt);
            System.arraycopy(head, headAt, buffer, offset, n);
            headAt += n;
            if (headAt == head.length) {
                head = null;
            }
            readerHolds = true;
            return n;
        }

        @Override
        public synchronized void write(byte[] buffer, int offset, int len) throws IOException {
            checkWritable();
            flush(); // what a try held goes first
            written.write(buffer, offset, len);
            largestWrite = Math.max(largestWrite, len);
        }

        private void checkWritable() throws IOException {
            if (closed || eofReceived) {
                throw new IOException("write after " + (closed ? "close" : "EOF"));
            }
        }

        @Override
        public synchronized void sendEof() {
            flush();
            eofReceived = true;
            notifyAll();
        }

        @Override
        public synchronized void close() {
            closed = true;
            notifyAll();
        }
    }
}
