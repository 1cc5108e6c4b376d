package caret.transport.sshd;

import caret.spi.SshChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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
 * MINA's transport for one SSH session ({@link IoSession}) over a blocking byte stream: a TCP
 * socket to the server, or, through a jump host, a {@code direct-tcpip} channel of the jump host's
 * connection. It replaces MINA's NIO2 session, which hands every read and every completed write to
 * another thread of its pool; here there is one thread per session, for reading, and every write
 * happens on the thread that writes:
 *
 * <ul>
 *   <li>Reading: a platform thread (woken by the kernel itself, no poller in between) reads the
 *       stream and hands each chunk to MINA's {@link IoHandler#messageReceived}, which decrypts it
 *       and delivers it to its channel on this thread; the next read waits until MINA has taken
 *       it. Through a jump host, reading frees the jump channel's window, so the jump host's flow
 *       control holds the target back. The stream's end (the server's FIN, the channel's EOF)
 *       closes this session.
 *   <li>Writing: {@link #writeBuffer} writes the packet before it returns, on the caller's thread
 *       (MINA calls it with its encode lock held, which keeps packets in order), and returns a
 *       completed future. It blocks while the socket's send buffer (or the jump channel's window)
 *       is full: that is the back pressure, and nothing queues up in the heap. A write that fails
 *       closes the stream; the reader then reports the failure.
 *   <li>Closing: gracefully, once the write in progress is done, with an EOF
 *       ({@code shutdownOutput}); at once, by closing the stream, which wakes the reader and a
 *       writer blocked on a full buffer.
 * </ul>
 */
final class StreamSession extends AbstractCloseable implements IoSession {

    /** What a session runs over: a socket or a channel, each with half-close. */
    interface Stream {
        int read(byte[] buffer, int offset, int len) throws IOException;

        void write(byte[] buffer, int offset, int len) throws IOException;

        /** Our end of the stream (EOF); reading goes on. */
        void shutdownOutput() throws IOException;

        /** Wakes a blocked reader and writer. Idempotent. */
        void close();

        static Stream of(SshChannel channel) {
            return new Stream() {
                @Override
                public int read(byte[] buffer, int offset, int len) throws IOException {
                    return channel.read(buffer, offset, len);
                }

                @Override
                public void write(byte[] buffer, int offset, int len) throws IOException {
                    channel.write(buffer, offset, len);
                }

                @Override
                public void shutdownOutput() throws IOException {
                    channel.sendEof();
                }

                @Override
                public void close() {
                    channel.close();
                }
            };
        }

        static Stream of(Socket socket) throws IOException {
            return new SocketStream(socket, socket.getInputStream(), socket.getOutputStream());
        }
    }

    /** A TCP connection to the server. */
    record SocketStream(Socket socket, InputStream in, OutputStream out) implements Stream {
        @Override
        public int read(byte[] buffer, int offset, int len) throws IOException {
            return in.read(buffer, offset, len);
        }

        @Override
        public void write(byte[] buffer, int offset, int len) throws IOException {
            out.write(buffer, offset, len);
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed is closed
            }
        }
    }

    /** Negative ids: never equal to the ids of MINA's own sessions, which count up from 100. */
    private static final AtomicLong IDS = new AtomicLong();

    /** MINA's NIO2 read size (its {@code NIO2_READ_BUFFER_SIZE}): one SSH packet of 32 KiB per read. */
    private static final int READ_BUFFER = 32 * 1024;

    private final long id = IDS.decrementAndGet();
    private final StreamConnector service;
    private final IoHandler handler;
    private final Stream stream;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile IOException writeFailure;

    /** The future of a write that is over: written, or failed. */
    private static final class WriteFuture extends AbstractIoWriteFuture {
        WriteFuture(Object id, Object result) {
            super(id, null);
            setValue(result);
        }
    }

    /**
     * @param local what the session reports as its local address
     * @param remote the server, as connected to (through a jump host: as the jump host connects to it)
     */
    StreamSession(StreamConnector service, IoHandler handler, Stream stream, SocketAddress local, SocketAddress remote) {
        super("session to " + remote);
        this.service = service;
        this.handler = handler;
        this.stream = stream;
        this.local = local;
        this.remote = remote;
    }

    /** Starts the reader; only once MINA has created its session for this one. */
    void startReading() {
        Thread.ofPlatform().daemon().name("caret-sshd-read " + remote).start(this::readLoop);
    }

    private void readLoop() {
        byte[] buffer = new byte[READ_BUFFER];
        try {
            for (int n; (n = stream.read(buffer, 0, buffer.length)) >= 0; ) {
                if (n > 0) {
                    handler.messageReceived(this, new ByteArrayBuffer(buffer, 0, n, true));
                }
            }
            close(true); // the server closed the connection
        } catch (Throwable t) {
            IOException write = writeFailure;
            failed(write != null ? write : t); // a failed write closed the stream under the read
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

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) {
        if (isClosing()) {
            return new WriteFuture(remote, new ClosedChannelException());
        }
        writeLock.lock();
        try {
            stream.write(buffer.array(), buffer.rpos(), buffer.available());
            return new WriteFuture(remote, Boolean.TRUE);
        } catch (IOException e) {
            if (writeFailure == null) {
                writeFailure = e;
            }
            stream.close(); // the reader wakes and reports it
            return new WriteFuture(remote, e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void shutdownOutputStream() throws IOException {
        writeLock.lock();
        try {
            stream.shutdownOutput();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * After the write in progress, if any, an EOF; then {@link #doCloseImmediately()}. Waits on a
     * thread of its own: a write blocked on a peer that stopped reading ends only when an immediate
     * close comes.
     */
    @Override
    protected CloseFuture doCloseGracefully() {
        DefaultCloseFuture flushed = new DefaultCloseFuture(this, futureLock);
        Thread.ofVirtual().name("caret-sshd-close " + remote).start(() -> {
            try {
                shutdownOutputStream();
            } catch (IOException e) {
                log.debug("EOF to {} failed: {}", remote, e.toString());
            } finally {
                flushed.setClosed();
            }
        });
        return flushed;
    }

    @Override
    protected void doCloseImmediately() {
        stream.close(); // wakes the reader and a writer blocked on a full buffer
        service.sessionClosed(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Exception e) {
            log.debug("Closing the session to {} failed: {}", remote, e.toString());
        }
    }

    /** What this session runs over. */
    Stream stream() {
        return stream;
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
        throw new UnsupportedOperationException("A Caret SSH session does not suspend reading");
    }

    /** See {@link #suspendRead()}. */
    @Override
    public void resumeRead() {
        throw new UnsupportedOperationException("A Caret SSH session does not suspend reading");
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
        return "StreamSession[" + local + " -> " + remote + "]";
    }
}
