package caret.transport.jsch.byname;

import java.nio.ByteBuffer;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code aes*-gcm@openssh.com} (RFC 5647 as OpenSSH uses it) for JSch, the same construction as
 * JSch's own {@code com.jcraft.jsch.jce.AESGCM} (the JDK's AES/GCM, 12-byte nonce whose last 8
 * bytes count packets), plus two things: every decrypted packet is shown to
 * {@link PacketTap#seen}, so that the server's description of a refused channel is not lost; and
 * a packet JSch encrypts with the old keys after a key renewal's NEWKEYS is encrypted with the new
 * ones ({@link KeyRenewal}). And a packet JSch decrypts in place is decrypted into an array of its
 * own and copied back: given the same array for input and output, the JDK decrypts in two passes
 * (GHASH over the ciphertext, then AES-CTR), since its fused AES-GCM intrinsic would overwrite the
 * ciphertext before hashing it; into another array it runs the fused one, about twice as fast
 * with the copy (a 32 KiB packet 6-9 µs against 2.5-5.5 on JDK 25 with VAES).
 * JSch instantiates it by class name, which is why this package is exported to
 * {@code com.jcraft.jsch} and nowhere else.
 */
abstract class AesGcm implements com.jcraft.jsch.Cipher {

    private static final int BLOCK = 16;
    private static final int TAG = 16;
    private static final int NONCE = 12;

    private final int keySize;
    private Cipher cipher;
    private SecretKeySpec key;
    private int mode;
    private ByteBuffer nonce;
    private long initialCounter;
    private final KeyRenewal<AesGcm> renewal = new KeyRenewal<>(this);
    /** Where a packet decrypted in place is decrypted first; as long as the longest so far. */
    private byte[] plaintext = new byte[0];

    AesGcm(int keySize) {
        this.keySize = keySize;
    }

    @Override
    public int getIVSize() {
        return BLOCK; // JSch derives this many IV bytes; GCM uses the first 12
    }

    @Override
    public int getBlockSize() {
        return keySize; // JSch reads the key size here
    }

    @Override
    public int getTagSize() {
        return TAG;
    }

    @Override
    public void init(int mode, byte[] key, byte[] iv) throws Exception {
        byte[] n = new byte[NONCE];
        System.arraycopy(iv, 0, n, 0, NONCE);
        byte[] k = new byte[keySize];
        System.arraycopy(key, 0, k, 0, keySize);
        this.mode = mode == ENCRYPT_MODE ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        this.nonce = ByteBuffer.wrap(n);
        this.initialCounter = nonce.getLong(4);
        this.key = new SecretKeySpec(k, "AES");
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(this.mode, this.key, new GCMParameterSpec(TAG * 8, n));
        renewal.initialized(this.mode == Cipher.ENCRYPT_MODE);
    }

    // Each call on a cipher a key renewal retired goes to its successor (KeyRenewal).

    @Override
    public void update(byte[] in, int inOff, int len, byte[] out, int outOff) throws Exception {
        AesGcm current = renewal.current();
        if (current != this) {
            current.update(in, inOff, len, out, outOff);
            return;
        }
        cipher.update(in, inOff, len, out, outOff);
    }

    @Override
    public void updateAAD(byte[] in, int off, int len) throws Exception {
        AesGcm current = renewal.current();
        if (current != this) {
            current.updateAAD(in, off, len);
            return;
        }
        cipher.updateAAD(in, off, len);
    }

    @Override
    public void doFinal(byte[] in, int inOff, int len, byte[] out, int outOff) throws Exception {
        AesGcm current = renewal.current();
        if (current != this) {
            current.doFinal(in, inOff, len, out, outOff);
            return;
        }
        if (mode == Cipher.ENCRYPT_MODE) { // JSch passes the packet from its padding length on: the type follows
            renewal.encrypting(in[inOff + 1], len - 1 - (in[inOff] & 0xFF));
        }
        int produced;
        if (mode == Cipher.DECRYPT_MODE && in == out) {
            if (plaintext.length < len) {
                plaintext = new byte[len];
            }
            produced = cipher.doFinal(in, inOff, len, plaintext, 0);
            System.arraycopy(plaintext, 0, out, outOff, produced);
        } else {
            produced = cipher.doFinal(in, inOff, len, out, outOff);
        }
        long next = nonce.getLong(4) + 1;
        if (next == initialCounter) {
            throw new IllegalStateException("GCM nonce would be reused");
        }
        nonce.putLong(4, next);
        cipher.init(mode, key, new GCMParameterSpec(TAG * 8, nonce.array()));
        if (mode == Cipher.DECRYPT_MODE) {
            PacketTap.seen(out, outOff, outOff + produced);
        }
    }

    @Override
    public boolean isCBC() {
        return false;
    }

    @Override
    public boolean isAEAD() {
        return true;
    }
}
