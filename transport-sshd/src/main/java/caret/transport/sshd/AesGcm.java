package caret.transport.sshd;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BaseGCMCipher;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;

/**
 * MINA's {@code aes128-gcm@openssh.com} and {@code aes256-gcm@openssh.com}, decrypting each packet
 * into an array of its own and copying the plaintext back, where MINA decrypts in place. Given the
 * same array for input and output, the JDK decrypts in two passes, GHASH over the ciphertext and
 * then AES-CTR, because its fused AES-GCM intrinsic would overwrite the ciphertext before hashing
 * it; given another array it runs the fused one. A 32 KiB packet on JDK 25 with VAES: 6-9 µs in
 * place, 2.5-5.5 µs into another array with the copy back. Encryption writes in place either way
 * and is fused (the hash reads the ciphertext it wrote).
 */
final class AesGcm extends BaseGCMCipher {

    /** Where a packet is decrypted; as long as the longest packet so far. */
    private byte[] plaintext = new byte[0];

    private AesGcm(BuiltinCiphers cipher) {
        super(cipher.getIVSize(), cipher.getAuthenticationTagSize(), cipher.getKdfSize(), cipher.getAlgorithm(),
                cipher.getKeySize(), cipher.getTransformation(), cipher.getCipherBlockSize());
    }

    /** Makes this class's instances of MINA's {@code cipher}, one of its AES-GCM ciphers, under its name. */
    static NamedFactory<Cipher> factory(BuiltinCiphers cipher) {
        return new NamedFactory<>() {
            @Override
            public String getName() {
                return cipher.getName();
            }

            @Override
            public Cipher create() {
                return new AesGcm(cipher);
            }

            @Override
            public String toString() {
                return cipher.getName() + " (decrypted out of place)";
            }
        };
    }

    /** As MINA's, with a counter this class may step ({@link #update}). */
    @Override
    protected javax.crypto.Cipher createCipherInstance(Mode mode, byte[] key, byte[] iv) throws Exception {
        javax.crypto.Cipher cipher = super.createCipherInstance(mode, key, iv);
        parameters = new Nonce(getAuthenticationTagSize() * Byte.SIZE, iv);
        return cipher;
    }

    /** As MINA's: the packet after the length (the AAD), then, decrypting, the tag after it. */
    @Override
    public void update(byte[] input, int inputOffset, int inputLen) throws Exception {
        if (mode != Mode.Decrypt) {
            super.update(input, inputOffset, inputLen);
            return;
        }
        javax.crypto.Cipher cipher = getInitializedCipherInstance();
        if (plaintext.length < inputLen) {
            plaintext = new byte[inputLen];
        }
        int n = cipher.doFinal(input, inputOffset, inputLen + getAuthenticationTagSize(), plaintext, 0);
        System.arraycopy(plaintext, 0, input, inputOffset, n);
        ((Nonce) parameters).next();
        initialized = false;
    }

    /** MINA's nonce: a fixed part and a 64-bit packet counter, never used twice. */
    private static final class Nonce extends CounterGCMParameterSpec {
        Nonce(int tagBits, byte[] iv) {
            super(tagBits, iv);
        }

        void next() {
            incrementCounter();
        }
    }
}
