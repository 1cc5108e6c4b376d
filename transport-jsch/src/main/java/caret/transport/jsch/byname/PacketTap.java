package caret.transport.jsch.byname;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What JSch reads from two incoming messages and then drops, recovered from the decrypted packets
 * that {@link AesGcm} and {@link ChaCha20Poly1305} show to {@link #seen}:
 *
 * <ul>
 *   <li>the description of {@code SSH_MSG_CHANNEL_OPEN_FAILURE}: JSch keeps only the reason code
 *       ({@code Channel.getExitStatus()}), and OpenSSH puts the useful part ("Connection refused",
 *       "No route to host") in the text. Kept for channels a caller waits on ({@link #expect}); JSch
 *       channel ids are unique in the whole JVM (one static counter), so the id names the channel.
 *   <li>the originator address of an incoming {@code forwarded-tcpip} {@code SSH_MSG_CHANNEL_OPEN}:
 *       JSch's session thread decrypts it and then, on the same thread, asks the session's thread
 *       factory for the channel's thread; {@link #takeOriginator()} hands it over there.
 * </ul>
 *
 * And one message JSch acts on too early: the server's {@code SSH_MSG_CHANNEL_CLOSE}. JSch's
 * session thread answers it with our CLOSE at once, while a writer of that channel may have been
 * woken by a window adjust just before and be about to send DATA, which would then follow our
 * CLOSE. A channel's {@link #beforeClose hook} runs on the session thread as the server's CLOSE is
 * decrypted, before JSch reads it, so the writer can finish first.
 *
 * Every other packet costs a look at its type byte.
 */
public final class PacketTap {

    private static final int SSH_MSG_CHANNEL_OPEN = 90;
    private static final int SSH_MSG_CHANNEL_OPEN_FAILURE = 92;
    private static final int SSH_MSG_CHANNEL_CLOSE = 97;
    private static final int MAX_TEXT = 1024;
    private static final String NONE = "";
    private static final byte[] FORWARDED_TCPIP = "forwarded-tcpip".getBytes(StandardCharsets.US_ASCII);

    private static final Map<Integer, String> failures = new ConcurrentHashMap<>();
    private static final ThreadLocal<String[]> originator = new ThreadLocal<>();
    private static final Map<Integer, Runnable> closeHooks = new ConcurrentHashMap<>();

    private PacketTap() {
    }

    /** Starts keeping the description of an open failure for channel {@code id}; call before the open is sent. */
    public static void expect(int id) {
        failures.put(id, NONE);
    }

    /** Stops keeping it and returns the description seen, if any. */
    public static Optional<String> take(int id) {
        String text = failures.remove(id);
        return text == null || text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /**
     * Runs {@code hook} on JSch's session thread when the server's CLOSE of channel {@code id} is
     * decrypted, before JSch answers it; until {@link #forget}.
     */
    public static void beforeClose(int id, Runnable hook) {
        closeHooks.put(id, hook);
    }

    /** Drops channel {@code id}'s close hook. */
    public static void forget(int id) {
        closeHooks.remove(id);
    }

    /**
     * The originator host and port of the last {@code forwarded-tcpip} open decrypted on this
     * thread, once; null when none (or when the cipher in use is not ours).
     */
    public static String[] takeOriginator() {
        String[] o = originator.get();
        if (o != null) {
            originator.remove();
        }
        return o;
    }

    /**
     * A packet as a cipher has just decrypted it: its padding length byte, then the message, then
     * that much padding.
     *
     * @param b the buffer holding the decrypted packet
     * @param at where the padding length byte is (the message type byte follows it)
     * @param end the end of the packet's padding
     */
    static void seen(byte[] b, int at, int end) {
        if (end - at < 2) {
            return;
        }
        int off = at + 1;
        end -= b[at] & 0xff;
        if (off >= end) {
            return;
        }
        int type = b[off] & 0xff;
        if (type == SSH_MSG_CHANNEL_OPEN_FAILURE) {
            openFailure(b, off, end);
        } else if (type == SSH_MSG_CHANNEL_OPEN) {
            open(b, off, end);
        } else if (type == SSH_MSG_CHANNEL_CLOSE && off + 5 <= end) {
            Runnable hook = closeHooks.remove(readInt(b, off + 1));
            if (hook != null) {
                hook.run();
            }
        }
    }

    /** byte 92, uint32 recipient channel, uint32 reason code, string description, string language. */
    private static void openFailure(byte[] b, int off, int end) {
        if (failures.isEmpty() || off + 13 > end) {
            return;
        }
        int recipient = readInt(b, off + 1);
        int length = readInt(b, off + 9);
        int start = off + 13;
        if (length < 0 || start + length > end || !failures.containsKey(recipient)) {
            return;
        }
        failures.replace(recipient, NONE, new String(b, start, Math.min(length, MAX_TEXT), StandardCharsets.UTF_8));
    }

    /**
     * byte 90, string "forwarded-tcpip", uint32 sender, uint32 window, uint32 max packet, string
     * connected address, uint32 connected port, string originator address, uint32 originator port.
     */
    private static void open(byte[] b, int off, int end) {
        int i = off + 1;
        if (i + 4 > end || readInt(b, i) != FORWARDED_TCPIP.length || i + 4 + FORWARDED_TCPIP.length > end
                || !java.util.Arrays.equals(b, i + 4, i + 4 + FORWARDED_TCPIP.length, FORWARDED_TCPIP, 0,
                        FORWARDED_TCPIP.length)) {
            return;
        }
        i += 4 + FORWARDED_TCPIP.length + 12;
        i = skipString(b, i, end);
        i += 4;
        if (i < 0 || i + 4 > end) {
            return;
        }
        int length = readInt(b, i);
        if (length < 0 || i + 4 + length + 4 > end) {
            return;
        }
        String host = new String(b, i + 4, Math.min(length, MAX_TEXT), StandardCharsets.UTF_8);
        int port = readInt(b, i + 4 + length);
        originator.set(new String[] {host, Integer.toString(port & 0xffff)});
    }

    private static int skipString(byte[] b, int i, int end) {
        if (i < 0 || i + 4 > end) {
            return -1;
        }
        int length = readInt(b, i);
        return length < 0 || i + 4 + length > end ? -1 : i + 4 + length;
    }

    private static int readInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
