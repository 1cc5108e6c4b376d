package caret.transport.sshd;

/**
 * Poly1305 (RFC 8439 section 2.5) as {@link ChaCha20Poly1305} uses it: {@link #init} with a fresh
 * one-time key for each packet, {@link #update} any number of times, then {@link #finish} or
 * {@link #verify}. Not thread-safe.
 */
sealed interface Poly1305 permits JavaPoly1305, JdkPoly1305 {

    int KEY_SIZE = 32;
    int TAG_SIZE = 16;

    /** The JDK's own Poly1305 where this module may reach it ({@link JdkPoly1305}), else ours. */
    static Poly1305 create() {
        return JdkPoly1305.isAvailable() ? new JdkPoly1305() : new JavaPoly1305();
    }

    /** Starts a new tag with the 32-byte one-time key at {@code key[offset]}. */
    void init(byte[] key, int offset);

    void update(byte[] data, int offset, int length);

    /** Writes the 16-byte tag to {@code out[offset]}. */
    void finish(byte[] out, int offset);

    /** Whether the tag of what was given so far equals the 16 bytes at {@code tag[offset]}, in constant time. */
    default boolean verify(byte[] tag, int offset) {
        byte[] actual = new byte[TAG_SIZE];
        finish(actual, 0);
        int difference = 0;
        for (int i = 0; i < TAG_SIZE; i++) {
            difference |= actual[i] ^ tag[offset + i];
        }
        return difference == 0;
    }
}
