package caret.transport.jsch.byname;

import java.security.GeneralSecurityException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a packet that JSch encrypts with the old keys after its NEWKEYS off the wire: that packet
 * goes to the cipher holding the new keys instead. One per cipher instance; {@link AesGcm} and
 * {@link ChaCha20Poly1305} call it.
 *
 * <p>JSch 2.x renews keys on its session thread when the server's NEWKEYS arrives. It sends its
 * own NEWKEYS under the session's write lock and releases the lock. Only then does
 * {@code Session.updateKeys} put the new cipher in the field its encoder reads, and initialize it.
 * A channel writer can take the lock in that gap: one that checked "no key exchange in progress"
 * before the exchange began, then waited for the lock (with 64 writers on two cores, a writer
 * waits long). It encrypts its DATA with the old keys, the server reads garbage after NEWKEYS and
 * drops the connection ("Bad packet length … Connection corrupted").
 *
 * <p>So:
 * <ul>
 *   <li>the cipher that encrypted NEWKEYS (a packet of that type and nothing else: JSch compresses
 *       nothing here, or the type would not be readable) is retired;
 *   <li>its successor is the next cipher initialized for encryption on the thread that sent
 *       NEWKEYS (JSch's {@code updateKeys} runs right after, on that thread);
 *   <li>every call on the retired cipher waits until the successor is initialized and goes to it.
 *       JSch's encoder reads the cipher field anew before each call, so with JSch 2.28's order
 *       (the field first, then {@code init}) only a late packet's first call arrives here; the
 *       rest find the successor in the field. With the other order they would all arrive here;
 *   <li>a call on a cipher not yet initialized (read from the field between its assignment and its
 *       {@code init}) waits for the initialization;
 *   <li>if the successor is of another class, or nothing is initialized within 30 s, the late
 *       packet fails instead of going out with the old keys.
 * </ul>
 *
 * @param <C> the cipher class
 */
final class KeyRenewal<C> {

    private static final Logger log = LoggerFactory.getLogger(KeyRenewal.class);
    private static final int SSH_MSG_NEWKEYS = 21;
    private static final long WAIT_SECONDS = 30;
    private static final ThreadLocal<KeyRenewal<?>> retiredOnThisThread = new ThreadLocal<>();

    private final C cipher;
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final CountDownLatch succeeded = new CountDownLatch(1);
    private volatile boolean retired;
    /** Set before {@link #succeeded} opens; null then if the successor is of another class. */
    private volatile KeyRenewal<C> successor;

    KeyRenewal(C cipher) {
        this.cipher = cipher;
    }

    /** Call at the end of the cipher's {@code init}. */
    @SuppressWarnings("unchecked") // the class is checked
    void initialized(boolean encrypting) {
        KeyRenewal<?> predecessor = encrypting ? retiredOnThisThread.get() : null;
        if (predecessor != null) {
            retiredOnThisThread.remove();
        }
        initialized.countDown();
        if (predecessor != null) {
            if (predecessor.cipher.getClass() == cipher.getClass()) {
                ((KeyRenewal<C>) predecessor).successor = this;
            }
            predecessor.succeeded.countDown();
        }
    }

    /**
     * Call with each packet the cipher encrypts, before encrypting it: its message type and the
     * length of its payload (the type included).
     */
    void encrypting(byte messageType, int payloadLength) {
        if (messageType == SSH_MSG_NEWKEYS && payloadLength == 1) {
            retired = true;
            retiredOnThisThread.set(this);
        }
    }

    /**
     * The cipher for a call arriving now: this one, or, once it is retired, the one that took over.
     *
     * @throws GeneralSecurityException if the keys are not in place after 30 s, the renewed cipher
     *     is of another class, or the wait is interrupted; the packet is then not sent at all
     */
    C current() throws GeneralSecurityException {
        await(initialized, "its keys were set");
        if (!retired) {
            return cipher;
        }
        long start = System.nanoTime();
        await(succeeded, "the renewed keys replaced the ones that sent NEWKEYS");
        KeyRenewal<C> next = successor;
        if (next == null) {
            throw new GeneralSecurityException("JSch sent a packet after NEWKEYS with the old keys, and the renewed "
                    + "cipher is another kind that cannot take it; the packet is dropped rather than sent with the "
                    + "wrong keys");
        }
        log.debug("A call begun with the old keys after NEWKEYS goes to the new ones (waited {} us)",
                (System.nanoTime() - start) / 1000);
        return next.current();
    }

    private static void await(CountDownLatch latch, String what) throws GeneralSecurityException {
        if (latch.getCount() == 0) {
            return;
        }
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new GeneralSecurityException("JSch sent a packet before " + what + ", and " + WAIT_SECONDS
                        + " s later they still were not; the packet is dropped rather than sent with the wrong keys");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GeneralSecurityException("Interrupted while waiting until " + what, e);
        }
    }
}
