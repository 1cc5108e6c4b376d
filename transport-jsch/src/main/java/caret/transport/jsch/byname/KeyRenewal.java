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
 * <p>JSch's encoder reads the cipher field anew before each call on it. So redirecting a packet's
 * first call is enough:
 * <ul>
 *   <li>the cipher that encrypted NEWKEYS is retired;
 *   <li>its successor is the next cipher initialized for encryption on the thread that sent
 *       NEWKEYS (JSch's {@code updateKeys} runs right after, on that thread);
 *   <li>a later packet's first call on the retired cipher waits until the successor is initialized
 *       and goes to it; the packet's other calls then find the successor in the field;
 *   <li>a first call on a cipher not yet initialized (read from the field between its assignment
 *       and its {@code init}) waits for the initialization.
 * </ul>
 *
 * @param <C> the cipher class; a successor of another class is not linked
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
        if (predecessor != null && predecessor.cipher.getClass() == cipher.getClass()) {
            KeyRenewal<C> same = (KeyRenewal<C>) predecessor;
            same.successor = this;
            same.succeeded.countDown();
        }
    }

    /** Call with the message type of each packet the cipher encrypts, before encrypting it. */
    void encrypting(byte messageType) {
        if (messageType == SSH_MSG_NEWKEYS) {
            retired = true;
            retiredOnThisThread.set(this);
        }
    }

    /**
     * The cipher for the packet whose first call arrives now: this one, or, once it is retired,
     * the one that took over.
     *
     * @throws GeneralSecurityException if the keys are not in place after 30 s, or the wait is
     *     interrupted; the packet is then not sent at all
     */
    C current() throws GeneralSecurityException {
        await(initialized, "its keys were set");
        if (!retired) {
            return cipher;
        }
        long start = System.nanoTime();
        await(succeeded, "the renewed keys replaced the ones that sent NEWKEYS");
        log.debug("A packet begun with the old keys after NEWKEYS goes out with the new ones (waited {} us)",
                (System.nanoTime() - start) / 1000);
        return successor.current();
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
