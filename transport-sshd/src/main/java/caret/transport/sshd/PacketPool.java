package caret.transport.sshd;

import java.util.concurrent.ArrayBlockingQueue;

import org.apache.sshd.client.ClientFactoryManager;
import org.apache.sshd.client.session.ClientSessionImpl;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.session.helpers.PacketBuffer;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Reuses the arrays of a session's outgoing channel data. MINA gives every full
 * {@code SSH_MSG_CHANNEL_DATA} packet a new array of about 32 KiB, which the JVM zeroes before
 * MINA copies the data in: at 900 MB/s that is as much fresh memory running through the caches as
 * data. Here such a packet takes an array from a few kept per session, and {@link SocketSession}
 * gives it back once the socket has taken all of it, after which MINA holds no reference to the
 * packet. A packet that never reaches the socket (the session closed first), or goes through a
 * jump host's channel instead ({@link TunnelSession}), is left to the garbage collector, and a new
 * array is made when none is free.
 */
final class PacketPool {

    /** The largest packet a pooled array holds: sshd's 32 KiB of data, the header, padding and tag. */
    static final int ARRAY_SIZE = 33 * 1024;
    /** Room kept for what MINA adds to the data: length, padding (at most 255) and a tag or MAC. */
    private static final int OVERHEAD = 5 + 255 + 64;
    /**
     * The smallest request that gets a pooled array. A channel's output stream makes the buffer of
     * its next packet as soon as it has sent one, sized like that one, and keeps it while it waits
     * for data: an idle channel that last sent a small packet must keep a small buffer (with every
     * request pooled, 10,000 idle connections held 470 MiB instead of 151). A bulk transfer asks
     * for full packets, so it still takes pooled arrays.
     */
    private static final int MIN_POOLED = ARRAY_SIZE / 2;
    /** Arrays kept per session: enough for the packets a few channels have on their way. */
    private static final int KEPT = 8;

    private final ArrayBlockingQueue<byte[]> free = new ArrayBlockingQueue<>(KEPT);

    /** A client session whose channel data packets take their arrays from a pool of its own. */
    static final class Session extends ClientSessionImpl {

        private final PacketPool pool = new PacketPool();

        Session(ClientFactoryManager client, IoSession ioSession) throws Exception {
            super(client, ioSession);
        }

        @Override
        public Buffer createBuffer(byte cmd, int len) {
            if (cmd != SshConstants.SSH_MSG_CHANNEL_DATA || len < MIN_POOLED || len + OVERHEAD > ARRAY_SIZE) {
                return super.createBuffer(cmd, len);
            }
            byte[] array = pool.free.poll();
            return prepareBuffer(cmd, new Pooled(array != null ? array : new byte[ARRAY_SIZE], pool));
        }
    }

    /** Gives {@code written}'s array back to its pool, if it came from one; the socket has taken all of it. */
    static void recycle(Buffer written) {
        if (written instanceof Pooled pooled && pooled.array().length == ARRAY_SIZE) {
            pooled.pool.free.offer(pooled.array()); // when KEPT are free already, dropped
        }
    }

    /** A packet whose array goes back to {@link #pool} once written. */
    private static final class Pooled extends PacketBuffer {

        private final PacketPool pool;

        Pooled(byte[] array, PacketPool pool) {
            super(array, false);
            this.pool = pool;
        }
    }
}
