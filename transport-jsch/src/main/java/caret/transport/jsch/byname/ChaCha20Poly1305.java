package caret.transport.jsch.byname;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;


/**
 * OpenSSH's {@code chacha20-poly1305@openssh.com} for JSch, in place of JSch's own
 * {@code com.jcraft.jsch.bc.ChaCha20Poly1305}, for two reasons: ChaCha20 is the JDK's, which
 * HotSpot runs with vector intrinsics (JSch's is Bouncy Castle's plain Java, several times slower;
 * Poly1305 is the JDK's too where this module may reach it, else Bouncy Castle's:
 * {@link Poly1305Tags}), and every decrypted packet is shown to {@link PacketTap#seen}, as
 * {@link AesGcm} does: without it, the server's CLOSE of a channel reached JSch before that
 * channel's writer had finished, and sshd dropped the whole connection under parallel streams.
 * Like {@link AesGcm}, it also keeps a packet JSch encrypts with the old keys after a key
 * renewal's NEWKEYS off the wire ({@link KeyRenewal}).
 *
 * <p>The construction (OpenSSH's {@code PROTOCOL.chacha20poly1305}): the 64-byte key is K_2 (first
 * half: the payload, whose ChaCha20 block 0 is the Poly1305 key, the payload starting at block 1)
 * and K_1 (second half: the 4-byte packet length). The nonce is the packet's sequence number, 8
 * bytes big-endian; the JDK's RFC 8439 ChaCha20 takes 12 nonce bytes and a 32-bit counter, which
 * load the same state words when the first four nonce bytes are zero (a packet is far below the
 * 256 GiB where OpenSSH's 64-bit counter would carry into them). The tag is Poly1305 over the
 * encrypted length and payload.
 *
 * <p>JSch's calls, per packet: {@link #update(int)} with the sequence number, {@link #update(byte[],
 * int, int, byte[], int)} on the 4 length bytes, then {@link #doFinal} on the whole packet from its
 * length on; decrypting, the tag follows the packet in the input, encrypting it is written after it.
 */
public final class ChaCha20Poly1305 implements com.jcraft.jsch.Cipher {

    private static final int KEY = 64;
    private static final int TAG = 16;
    private static final int LENGTH = 4;
    private static final byte[] ZEROS = new byte[64];

    private final Cipher header;
    private final Cipher payload;
    private final Poly1305Tags poly = new Poly1305Tags();
    private final byte[] nonce = new byte[12];
    private final byte[] block0 = new byte[64];
    private final byte[] tag = new byte[TAG];
    private int mode;
    private SecretKeySpec headerKey;
    private SecretKeySpec payloadKey;
    private final KeyRenewal<ChaCha20Poly1305> renewal = new KeyRenewal<>(this);

    /** Instantiated by JSch, by class name. */
    public ChaCha20Poly1305() throws GeneralSecurityException {
        header = Cipher.getInstance("ChaCha20");
        payload = Cipher.getInstance("ChaCha20");
    }

    /** JSch names the cipher's block size here; it pads to it and checks packet lengths against it. */
    @Override
    public int getIVSize() {
        return 8;
    }

    /** JSch reads the key size here. */
    @Override
    public int getBlockSize() {
        return KEY;
    }

    @Override
    public int getTagSize() {
        return TAG;
    }

    @Override
    public void init(int mode, byte[] key, byte[] iv) {
        if (key.length < KEY) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key, got " + key.length);
        }
        this.mode = mode == ENCRYPT_MODE ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        payloadKey = new SecretKeySpec(key, 0, 32, "ChaCha20");
        headerKey = new SecretKeySpec(key, 32, 32, "ChaCha20");
        renewal.initialized(this.mode == Cipher.ENCRYPT_MODE);
    }

    /**
     * Starts packet {@code sequence}: both ciphers at its nonce, and the packet's Poly1305 key. Here
     * and in the other calls, a cipher retired by a key renewal passes the call to its successor
     * ({@link KeyRenewal}).
     */
    @Override
    public void update(int sequence) throws GeneralSecurityException {
        ChaCha20Poly1305 current = renewal.current();
        if (current != this) {
            current.update(sequence);
            return;
        }
        nonce[8] = (byte) (sequence >>> 24);
        nonce[9] = (byte) (sequence >>> 16);
        nonce[10] = (byte) (sequence >>> 8);
        nonce[11] = (byte) sequence;
        header.init(mode, headerKey, new ChaCha20ParameterSpec(nonce, 0));
        payload.init(mode, payloadKey, new ChaCha20ParameterSpec(nonce, 0));
        payload.update(ZEROS, 0, 64, block0, 0); // block 0: the Poly1305 key; the payload starts at block 1
        poly.init(block0, 0);
        Arrays.fill(block0, (byte) 0);
    }

    /** En- or decrypts the 4-byte packet length. */
    @Override
    public void update(byte[] in, int inOff, int len, byte[] out, int outOff) throws GeneralSecurityException {
        ChaCha20Poly1305 current = renewal.current();
        if (current != this) {
            current.update(in, inOff, len, out, outOff);
            return;
        }
        if (len != LENGTH) {
            throw new IllegalArgumentException("chacha20-poly1305 encrypts the 4-byte packet length alone, got " + len);
        }
        header.update(in, inOff, len, out, outOff);
    }

    /**
     * {@code len} bytes from {@code inOff}: the packet's encrypted (decrypting) or plain (encrypting)
     * length, then its payload. Decrypting, checks the tag that follows them, then decrypts the
     * payload into {@code out} after the length; encrypting, encrypts it there and writes the tag
     * after it.
     */
    @Override
    public void doFinal(byte[] in, int inOff, int len, byte[] out, int outOff) throws GeneralSecurityException {
        ChaCha20Poly1305 current = renewal.current();
        if (current != this) {
            current.doFinal(in, inOff, len, out, outOff);
            return;
        }
        if (inOff < 0 || len < LENGTH) {
            throw new IllegalArgumentException("chacha20-poly1305 takes a whole packet here, got offset " + inOff
                    + ", length " + len);
        }
        int body = len - LENGTH;
        if (mode == Cipher.DECRYPT_MODE) {
            poly.update(in, inOff, len);
            poly.doFinal(tag, 0);
            if (!tagMatches(in, inOff + len)) {
                throw new AEADBadTagException("chacha20-poly1305 tag mismatch");
            }
            payload.update(in, inOff + LENGTH, body, out, outOff + LENGTH);
            PacketTap.seen(out, outOff + LENGTH, outOff + len);
        } else {
            // after the length, the padding length, then the type
            renewal.encrypting(in[inOff + LENGTH + 1], body - 1 - (in[inOff + LENGTH] & 0xFF));
            payload.update(in, inOff + LENGTH, body, out, outOff + LENGTH);
            if (out != in || outOff != inOff) {
                System.arraycopy(in, inOff, out, outOff, LENGTH); // the length, encrypted by update
            }
            poly.update(out, outOff, len);
            poly.doFinal(out, outOff + len);
        }
    }

    /** Compares the computed tag with the one at {@code at}, in constant time. */
    private boolean tagMatches(byte[] in, int at) {
        int diff = 0;
        for (int i = 0; i < TAG; i++) {
            diff |= tag[i] ^ in[at + i];
        }
        return diff == 0;
    }

    @Override
    public boolean isCBC() {
        return false;
    }

    @Override
    public boolean isAEAD() {
        return true;
    }

    @Override
    public boolean isChaCha20() {
        return true;
    }
}
