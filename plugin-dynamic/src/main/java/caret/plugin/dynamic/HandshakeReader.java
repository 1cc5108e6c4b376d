package caret.plugin.dynamic;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads a SOCKS handshake from a socket through one fixed buffer, under one deadline for the whole
 * handshake. Bytes may arrive one at a time or together with payload the client sends right after
 * its request; {@link #remaining()} gives back whatever was read beyond the handshake.
 *
 * <p>Every field the handshake reads is at most 256 bytes, so the buffer never grows: consumed bytes
 * are dropped by moving the unread ones to its start.
 */
final class HandshakeReader {

    /** Longest single field: a length-prefixed or NUL-terminated name of 255 bytes plus one. */
    static final int MAX_FIELD = 256;

    private final Socket socket;
    private final InputStream in;
    private final long deadline;
    private final Duration timeout;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private long received;

    HandshakeReader(Socket socket, Duration timeout) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.timeout = timeout;
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** The next byte, 0 to 255. */
    int readByte(String what) throws IOException {
        require(1, what);
        return buffer[position++] & 0xFF;
    }

    /** The next two bytes as a big-endian unsigned number, such as a port. */
    int readUnsignedShort(String what) throws IOException {
        require(2, what);
        int value = (buffer[position] & 0xFF) << 8 | (buffer[position + 1] & 0xFF);
        position += 2;
        return value;
    }

    /** Copies the next {@code target.length} bytes (at most {@link #MAX_FIELD}) into {@code target}. */
    void readFully(byte[] target, String what) throws IOException {
        require(target.length, what);
        System.arraycopy(buffer, position, target, 0, target.length);
        position += target.length;
    }

    /** The next {@code length} bytes (at most {@link #MAX_FIELD}) as ISO-8859-1 text, one char per byte. */
    String readText(int length, String what) throws IOException {
        require(length, what);
        String text = new String(buffer, position, length, StandardCharsets.ISO_8859_1);
        position += length;
        return text;
    }

    /**
     * Text up to a NUL byte, which is consumed and not returned.
     *
     * @param maxLength the longest text allowed before the NUL, at most {@code MAX_FIELD - 1}
     * @throws SocksHandshakeException when no NUL comes within {@code maxLength + 1} bytes
     */
    String readNulTerminated(int maxLength, String what) throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = position + scanned; i < limit; i++) {
                if (buffer[i] == 0) {
                    String text = new String(buffer, position, i - position, StandardCharsets.ISO_8859_1);
                    position = i + 1;
                    return text;
                }
                if (i - position >= maxLength) {
                    throw new SocksHandshakeException(what + " is longer than " + maxLength + " bytes");
                }
            }
            scanned = limit - position;
            require(scanned + 1, what);
        }
    }

    /** The bytes read beyond what the handshake consumed: the start of the client's payload. */
    byte[] remaining() {
        return Arrays.copyOfRange(buffer, position, limit);
    }

    /** Makes at least {@code count} unread bytes available, reading as many as the socket has. */
    private void require(int count, String what) throws IOException {
        if (count > MAX_FIELD) {
            throw new IllegalArgumentException("field of " + count + " bytes exceeds " + MAX_FIELD);
        }
        if (limit - position >= count) {
            return;
        }
        if (buffer.length - position < count) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        while (limit - position < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(what, null);
            }
            socket.setSoTimeout(Math.clamp(Duration.ofNanos(left).toMillis(), 1, Integer.MAX_VALUE));
            int n;
            try {
                n = in.read(buffer, limit, buffer.length - limit);
            } catch (SocketTimeoutException e) {
                throw timedOut(what, e);
            }
            if (n < 0) {
                throw new SocksHandshakeException(received == 0
                        ? "client closed the connection without sending anything"
                        : "client closed the connection in the middle of the " + what);
            }
            limit += n;
            received += n;
        }
    }

    private SocksHandshakeException timedOut(String what, Throwable cause) {
        return new SocksHandshakeException("no complete SOCKS handshake within " + format(timeout)
                + " (waiting for the " + what + ")", cause);
    }

    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
