package caret.transport.jsch.byname;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.Cipher;

import java.util.Arrays;
import java.util.Random;

import javax.crypto.AEADBadTagException;

import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * Our chacha20-poly1305 against the construction computed independently with Bouncy Castle's
 * ChaCha engine (what JSch's own class does), packet by packet as JSch calls it; and decryption
 * refuses a packet with any byte changed. The tags are the JDK's Poly1305's (surefire runs with the
 * same --add-opens as ./caret); they are checked against Bouncy Castle's too. The contract against
 * a real sshd is JschChaCha20Test.
 */
class ChaCha20Poly1305Test {

    private static final int TAG = 16;

    private final Random random = new Random(20261204);
    private final byte[] key = bytes(64);

    @Test
    void encryptsAsTheReferenceAndDecryptsItsOwnPackets() throws Exception {
        ChaCha20Poly1305 encrypt = new ChaCha20Poly1305();
        ChaCha20Poly1305 decrypt = new ChaCha20Poly1305();
        encrypt.init(Cipher.ENCRYPT_MODE, key, new byte[8]);
        decrypt.init(Cipher.DECRYPT_MODE, key, new byte[8]);
        int[] sizes = {8, 64, 1000, 32_768 + 8};
        int[] sequences = {0, 1, 2, 255, 256, 65_537, Integer.MAX_VALUE, -1}; // never the same twice: a nonce
        for (int i = 0; i < sequences.length; i++) {
            int sequence = sequences[i];
            int size = sizes[i % sizes.length];
            {
                byte[] plain = packet(size);
                byte[] sent = Arrays.copyOf(plain, size + TAG);
                encrypt.update(sequence);
                encrypt.update(sent, 0, 4, sent, 0);
                encrypt.doFinal(sent, 0, size, sent, 0);
                assertArrayEquals(reference(sequence, plain), sent, "packet " + sequence + " of " + size + " bytes");

                byte[] length = new byte[4];
                decrypt.update(sequence);
                decrypt.update(sent, 0, 4, length, 0);
                assertArrayEquals(Arrays.copyOf(plain, 4), length);
                decrypt.doFinal(sent, 0, size, sent, 0);
                assertArrayEquals(Arrays.copyOfRange(plain, 4, size), Arrays.copyOfRange(sent, 4, size));
            }
        }
    }

    @Test
    void refusesAPacketWithAnyByteChanged() throws Exception {
        int size = 72;
        byte[] sent = Arrays.copyOf(packet(size), size + TAG);
        ChaCha20Poly1305 encrypt = new ChaCha20Poly1305();
        encrypt.init(Cipher.ENCRYPT_MODE, key, new byte[8]);
        encrypt.update(7);
        encrypt.update(sent, 0, 4, sent, 0);
        encrypt.doFinal(sent, 0, size, sent, 0);
        for (int at : new int[] {0, 3, 4, size - 1, size, size + TAG - 1}) {
            byte[] changed = sent.clone();
            changed[at] ^= 1;
            ChaCha20Poly1305 decrypt = new ChaCha20Poly1305();
            decrypt.init(Cipher.DECRYPT_MODE, key, new byte[8]);
            decrypt.update(7);
            decrypt.update(changed, 0, 4, new byte[4], 0);
            assertThrows(AEADBadTagException.class, () -> decrypt.doFinal(changed, 0, size, changed, 0),
                    "byte " + at + " changed");
        }
    }

    @Test
    void theTagsAreTheJdksPoly1305sAndBouncyCastlesToo() {
        assertTrue(new Poly1305Tags().isJdks(), "run with --add-opens java.base/com.sun.crypto.provider=caret.transport.jsch");
        Poly1305Tags tags = new Poly1305Tags(); // one instance for all: each init starts a new tag
        for (int i = 0; i < 3000; i++) {
            byte[] polyKey = bytes(32);
            if (i % 3 == 0) {
                Arrays.fill(polyKey, 0, 16, (byte) 0xFF); // the largest r the clamp allows
            }
            if (i % 7 == 0) {
                Arrays.fill(polyKey, 16, 32, (byte) 0); // s = 0: the JDK's weak-key check must be off
            }
            byte[] message = bytes(random.nextInt(300));
            Poly1305 reference = new Poly1305();
            reference.init(new KeyParameter(polyKey));
            reference.update(message, 0, message.length);
            byte[] expected = new byte[TAG];
            reference.doFinal(expected, 0);
            tags.init(polyKey, 0);
            int split = message.length == 0 ? 0 : random.nextInt(message.length);
            tags.update(message, 0, split);
            tags.update(message, split, message.length - split);
            byte[] tag = new byte[TAG];
            tags.doFinal(tag, 0);
            assertArrayEquals(expected, tag, "message " + i + " of " + message.length + " bytes");
        }
    }

    /** A packet as JSch builds it: length, padding length, payload, padding (a multiple of 8). */
    private byte[] packet(int size) {
        byte[] p = bytes(size);
        int length = size - 4;
        p[0] = (byte) (length >>> 24);
        p[1] = (byte) (length >>> 16);
        p[2] = (byte) (length >>> 8);
        p[3] = (byte) length;
        p[4] = 4; // padding length
        p[5] = 94; // CHANNEL_DATA (a NEWKEYS would retire the cipher: KeyRenewal)
        return p;
    }

    /** OpenSSH's PROTOCOL.chacha20poly1305 with Bouncy Castle's 64-bit-nonce ChaCha engine. */
    private byte[] reference(int sequence, byte[] plain) {
        byte[] nonce = new byte[8];
        for (int i = 0; i < 4; i++) {
            nonce[4 + i] = (byte) (sequence >>> (24 - 8 * i));
        }
        ChaChaEngine header = new ChaChaEngine();
        header.init(true, new ParametersWithIV(new KeyParameter(key, 32, 32), nonce));
        ChaChaEngine main = new ChaChaEngine();
        main.init(true, new ParametersWithIV(new KeyParameter(key, 0, 32), nonce));
        byte[] polyKey = new byte[64];
        main.processBytes(polyKey, 0, 64, polyKey, 0);
        byte[] out = new byte[plain.length + TAG];
        header.processBytes(plain, 0, 4, out, 0);
        main.processBytes(plain, 4, plain.length - 4, out, 4);
        Poly1305 poly = new Poly1305();
        poly.init(new KeyParameter(polyKey, 0, 32));
        poly.update(out, 0, plain.length);
        poly.doFinal(out, plain.length);
        return out;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
