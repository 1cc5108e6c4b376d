package caret.transport.sshd;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;

/**
 * OpenSSH's {@code chacha20-poly1305@openssh.com} (its {@code PROTOCOL.chacha20poly1305}) on the
 * JDK's {@code ChaCha20} cipher, which HotSpot runs with vector intrinsics, and {@link Poly1305}
 * (the JDK's too, where this module may reach it: {@link JdkPoly1305}).
 * MINA's own implementation of the same cipher computes ChaCha20 in plain Java, several times
 * slower.
 *
 * <p>The 64-byte key is two ChaCha20 keys: K_2 (the first 32 bytes) encrypts the payload from block
 * counter 1 and its block 0 gives the Poly1305 key; K_1 (the last 32 bytes) encrypts the 4-byte
 * packet length. OpenSSH's nonce is the packet sequence number as 8 bytes big-endian with a 64-bit
 * block counter; the JDK's RFC 8439 ChaCha20 takes a 12-byte nonce and a 32-bit counter. Both load
 * the same 16 state words, so four zero bytes (the high word of OpenSSH's counter, zero in a
 * packet of less than 256 GiB) before OpenSSH's nonce make the same key stream. The tag is
 * Poly1305 over the encrypted length and the encrypted payload, with no padding or lengths (unlike
 * RFC 8439's AEAD).
 *
 * <p>MINA calls {@link #updateAAD} with the 4 length bytes, then {@link #update} with the rest of
 * the packet, which is followed by room for (or, decrypting, the received) 16-byte tag. MINA puts
 * the first packet's sequence number into the IV at {@link #init} for ciphers whose algorithm name
 * starts with "ChaCha"; from then on the cipher counts packets itself.
 */
final class ChaCha20Poly1305 implements Cipher {

    /** The SSH name. */
    static final String NAME = "chacha20-poly1305@openssh.com";

    /** Makes a new instance per session and direction. */
    static final NamedFactory<Cipher> FACTORY = new NamedFactory<>() {
        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public Cipher create() {
            return new ChaCha20Poly1305();
        }

        @Override
        public String toString() {
            return NAME + " (JDK ChaCha20)";
        }
    };

    private static final byte[] ZEROS = new byte[64];

    private final javax.crypto.Cipher payload;
    private final javax.crypto.Cipher header;
    private final Poly1305 poly = Poly1305.create();
    private final byte[] nonce = new byte[12];
    private final byte[] block0 = new byte[64];
    private Mode mode;
    private int jceMode;
    private SecretKeySpec payloadKey;
    private SecretKeySpec headerKey;
    private long sequence;
    private boolean lengthDone;

    ChaCha20Poly1305() {
        try {
            payload = javax.crypto.Cipher.getInstance("ChaCha20");
            header = javax.crypto.Cipher.getInstance("ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JDK has no ChaCha20 cipher (JDK 11 and later have it): " + e, e);
        }
    }

    @Override
    public void init(Mode mode, byte[] key, byte[] iv) {
        if (key.length < 64) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key, got " + key.length);
        }
        long first = ((long) (iv[0] & 0xFF) << 56) | ((long) (iv[1] & 0xFF) << 48) | ((long) (iv[2] & 0xFF) << 40)
                | ((long) (iv[3] & 0xFF) << 32) | ((long) (iv[4] & 0xFF) << 24) | ((iv[5] & 0xFF) << 16)
                | ((iv[6] & 0xFF) << 8) | (iv[7] & 0xFF);
        if (first >>> 32 != 0) {
            throw new IllegalArgumentException("Not an SSH packet sequence number: " + Long.toUnsignedString(first));
        }
        this.mode = mode;
        this.jceMode = mode == Mode.Encrypt ? javax.crypto.Cipher.ENCRYPT_MODE : javax.crypto.Cipher.DECRYPT_MODE;
        this.payloadKey = new SecretKeySpec(key, 0, 32, "ChaCha20");
        this.headerKey = new SecretKeySpec(key, 32, 32, "ChaCha20");
        this.sequence = first;
        this.lengthDone = false;
    }

    /** En- or decrypts the 4-byte packet length in place and starts the packet's tag. */
    @Override
    public void updateAAD(byte[] data, int offset, int length) throws GeneralSecurityException {
        if (mode == null) {
            throw new IllegalStateException("Cipher not initialized");
        }
        if (length != 4) {
            throw new IllegalArgumentException("chacha20-poly1305 takes only the 4-byte packet length as AAD, got " + length);
        }
        nonce[8] = (byte) (sequence >>> 24);
        nonce[9] = (byte) (sequence >>> 16);
        nonce[10] = (byte) (sequence >>> 8);
        nonce[11] = (byte) sequence;
        header.init(jceMode, headerKey, new ChaCha20ParameterSpec(nonce, 0));
        payload.init(jceMode, payloadKey, new ChaCha20ParameterSpec(nonce, 0));
        payload.update(ZEROS, 0, 64, block0, 0); // block 0: the Poly1305 key; the payload starts at block 1
        poly.init(block0, 0);
        if (mode == Mode.Decrypt) {
            poly.update(data, offset, length);
            header.update(data, offset, length, data, offset);
        } else {
            header.update(data, offset, length, data, offset);
            poly.update(data, offset, length);
        }
        lengthDone = true;
    }

    /**
     * En- or decrypts the packet after its length in place. Encrypting, writes the tag after it;
     * decrypting, checks the tag after it first and throws {@link AEADBadTagException} on a mismatch.
     */
    @Override
    public void update(byte[] data, int offset, int length) throws GeneralSecurityException {
        if (!lengthDone) {
            throw new IllegalStateException("chacha20-poly1305: the packet length (AAD) must come first");
        }
        lengthDone = false;
        if (mode == Mode.Decrypt) {
            poly.update(data, offset, length);
            if (!poly.verify(data, offset + length)) {
                throw new AEADBadTagException("chacha20-poly1305 tag mismatch on packet " + sequence);
            }
            payload.update(data, offset, length, data, offset);
        } else {
            payload.update(data, offset, length, data, offset);
            poly.update(data, offset, length);
            poly.finish(data, offset + length);
        }
        Arrays.fill(block0, (byte) 0);
        sequence = (sequence + 1) & 0xFFFF_FFFFL;
    }

    @Override
    public String getAlgorithm() {
        return "ChaCha20"; // MINA seeds the IV with the sequence number for names starting with "ChaCha"
    }

    @Override
    public String getTransformation() {
        return "ChaCha20";
    }

    @Override
    public int getIVSize() {
        return 8;
    }

    @Override
    public int getAuthenticationTagSize() {
        return Poly1305.TAG_SIZE;
    }

    @Override
    public int getCipherBlockSize() {
        return 8;
    }

    @Override
    public int getKdfSize() {
        return 64;
    }

    @Override
    public int getKeySize() {
        return 512;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
