package caret.transport.sshd;

import caret.spi.SshChannel;

import java.io.IOException;
import java.io.WriteAbortedException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.DefaultCloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * MINA's transport for one SSH session, over a {@code direct-tcpip} channel of the jump host's
 * connection instead of a TCP socket: what MINA's NIO2 session does with a socket, done with an
 * {@link SshChannel}. So the target's session runs inside the jump host's connection with no local
 * socket and no listening port.
 *
 * <ul>
 *   <li>Reading: a virtual thread reads the channel and hands each chunk to MINA's
 *       {@link IoHandler#messageReceived}; the next read waits until MINA has taken it, and reading
 *       frees the jump channel's window, so the jump host's flow control holds the target back.
 *       The channel's end (EOF, or the jump host's connection gone) closes this session.
 *   <li>Writing: {@link #writeBuffer} never blocks (MINA calls it while holding its locks); a
 *       virtual thread writes the queued packets to the channel in order, each write blocking on
 *       the jump channel's window, and completes each packet's future once the channel took it.
 *   <li>Closing: gracefully, after the queued packets and an EOF went out; at once, by closing the
 *       channel (which wakes both threads) and failing what was still queued.
 * </ul>
 */
final class TunnelSession extends AbstractCloseable implements IoSession {

    /** Negative ids: never equal to the ids of MINA's own sessions, which count up from 100. */
    private static final AtomicLong IDS = new AtomicLong();
    private static final int READ_BUFFER = 64 * 1024;

    private final long id = IDS.decrementAndGet();
    private final SessionConnector service;
    private final IoHandler handler;
    private final SshChannel channel;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Write> writes = new LinkedBlockingQueue<>();

    /** One packet to write, or (without data) an EOF after the packets before it. */
    private record Write(byte[] data, int offset, int length, WriteFuture future) {
        boolean isEof() {
            return data == null;
        }
    }

    /** Ends the writer: queued by {@link #doCloseImmediately()} after it failed what was left. */
    private static final Write STOP = new Write(null, 0, 0, null);

    /** The future of one queued write. */
    private static final class WriteFuture extends AbstractIoWriteFuture {
        WriteFuture(Object id) {
            super(id, null);
        }

        void written() {
            setValue(Boolean.TRUE);
        }

        void failed(Throwable t) {
            setValue(t);
        }
    }

    /**
     * @param local what the session reports as its local address
     * @param remote the target, as the jump host connects to it
     */
    TunnelSession(SessionConnector service, IoHandler handler, SshChannel channel, SocketAddress local,
            SocketAddress remote) {
        super("tunnel to " + remote);
        this.service = service;
        this.handler = handler;
        this.channel = channel;
        this.local = local;
        this.remote = remote;
    }

    /** Starts the writer; MINA may queue packets from now on. */
    void startWriting() {
        Thread.ofVirtual().name("caret-sshd-tunnel-write " + remote).start(this::writeLoop);
    }

    /** Starts the reader; only once MINA has created its session for this one. */
    void startReading() {
        Thread.ofVirtual().name("caret-sshd-tunnel-read " + remote).start(this::readLoop);
    }

    private void readLoop() {
        byte[] buffer = new byte[READ_BUFFER];
        try {
            for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
                handler.messageReceived(this, new ByteArrayBuffer(buffer, 0, n, true));
            }
            close(true); // the target closed its TCP connection: as a socket's EOF
        } catch (Throwable t) {
            failed(t);
        }
    }

    private void writeLoop() {
        while (true) {
            Write write;
            try {
                write = writes.take();
            } catch (InterruptedException e) {
                failed(e); // nobody interrupts this thread but a JVM shutting down
                return;
            }
            if (write == STOP) {
                return;
            }
            try {
                if (write.isEof()) {
                    channel.sendEof();
                } else {
                    channel.write(write.data(), write.offset(), write.length());
                }
                write.future().written();
            } catch (IOException e) {
                write.future().failed(e);
                failed(e);
                return;
            }
        }
    }

    /** As MINA's own sessions: tell the handler (unless closing anyway), then close at once. */
    private void failed(Throwable t) {
        if (!isClosing()) {
            try {
                handler.exceptionCaught(this, t);
            } catch (Exception e) {
                t.addSuppressed(e);
            }
        }
        close(true);
    }

    /** What one write to the jump host's channel sends as one packet: each packet of this session is one write. */
    int packetDataSize() {
        return channel.packetDataSize();
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        WriteFuture future = new WriteFuture(remote);
        if (isClosing()) {
            future.failed(new ClosedChannelException());
            return future;
        }
        writes.add(new Write(buffer.array(), buffer.rpos(), buffer.available(), future));
        return future;
    }

    @Override
    public void shutdownOutputStream() {
        writes.add(new Write(null, 0, 0, new WriteFuture(remote)));
    }

    /** The packets queued so far go out, then an EOF; then {@link #doCloseImmediately()}. */
    @Override
    protected CloseFuture doCloseGracefully() {
        WriteFuture eof = new WriteFuture(remote);
        DefaultCloseFuture flushed = new DefaultCloseFuture(this, futureLock);
        eof.addListener(f -> flushed.setClosed());
        writes.add(new Write(null, 0, 0, eof));
        return flushed;
    }

    @Override
    protected void doCloseImmediately() {
        channel.close(); // wakes the reader and a writer blocked on the window
        for (Write pending; (pending = writes.poll()) != null; ) {
            pending.future().failed(new WriteAbortedException("The tunnel to " + remote + " was closed", null));
        }
        writes.add(STOP); // wakes a writer waiting for work
        service.sessionClosed(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Exception e) {
            log.debug("Closing the session over the tunnel to {} failed: {}", remote, e.toString());
        }
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null; // connected by us, not accepted
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoService getService() {
        return service;
    }

    /** MINA's SSH sessions never suspend reading (only its own port forwarders do). */
    @Override
    public void suspendRead() {
        throw new UnsupportedOperationException("A session through a jump host does not suspend reading");
    }

    /** See {@link #suspendRead()}. */
    @Override
    public void resumeRead() {
        throw new UnsupportedOperationException("A session through a jump host does not suspend reading");
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String toString() {
        return "TunnelSession[" + local + " -> " + remote + "]";
    }
}
