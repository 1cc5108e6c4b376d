package caret.transport.jsch.byname;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

/**
 * {@link AesGcm} decrypting in place, as JSch's packet reader calls it (the 4-byte length as AAD,
 * then the rest of the packet and its tag, output over input), packets the JDK's own AES/GCM
 * encrypted with OpenSSH's nonce: the IV's first 12 bytes, the last 8 of them a packet counter.
 * A real server's packets both ways are in the transport's contract tests.
 */
class AesGcmTest {

    private static final int TAG = 16;

    @Test
    void decryptsInPlaceWhatTheJdkEncrypts() throws Exception {
        Random random = new Random(7);
        byte[] key = new byte[32];
        byte[] iv = new byte[16];
        random.nextBytes(key);
        random.nextBytes(iv);
        AesGcm decrypt = new Aes128Gcm();
        decrypt.init(com.jcraft.jsch.Cipher.DECRYPT_MODE, key, iv);
        ByteBuffer nonce = ByteBuffer.wrap(Arrays.copyOf(iv, 12));
        // packets of growing and shrinking size, past one of the largest the decrypting array has held
        for (int size : new int[] {16, 32_768, 48, 65_536, 1_024, 32_768}) {
            byte[] packet = packet(random, size);
            byte[] wire = encrypted(key, nonce, packet);
            decrypt.updateAAD(wire, 0, 4);
            decrypt.doFinal(wire, 4, size + TAG, wire, 4);
            assertArrayEquals(packet, Arrays.copyOf(wire, packet.length), size + " bytes");
            nonce.putLong(4, nonce.getLong(4) + 1);
        }
    }

    @Test
    void refusesATamperedPacketAndLeavesItAsItCame() throws Exception {
        byte[] key = new byte[32];
        byte[] iv = new byte[16];
        AesGcm decrypt = new Aes128Gcm();
        decrypt.init(com.jcraft.jsch.Cipher.DECRYPT_MODE, key, iv);
        byte[] wire = encrypted(key, ByteBuffer.wrap(new byte[12]), packet(new Random(1), 4_096));
        wire[100] ^= 1;
        byte[] received = wire.clone();
        decrypt.updateAAD(received, 0, 4);
        assertThrows(AEADBadTagException.class, () -> decrypt.doFinal(received, 4, received.length - 4, received, 4));
        assertArrayEquals(wire, received);
    }

    /** A length field and that many bytes, as JSch's reader has them before decrypting. */
    private static byte[] packet(Random random, int size) {
        byte[] packet = new byte[4 + size];
        random.nextBytes(packet);
        ByteBuffer.wrap(packet).putInt(size);
        return packet;
    }

    /** The packet as the server sends it: the length in clear as AAD, the rest encrypted, the tag after it. */
    private static byte[] encrypted(byte[] key, ByteBuffer nonce, byte[] packet) throws Exception {
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 0, 16, "AES"), new GCMParameterSpec(TAG * 8, nonce.array().clone()));
        jdk.updateAAD(packet, 0, 4);
        byte[] wire = Arrays.copyOf(packet, packet.length + TAG);
        jdk.doFinal(packet, 4, packet.length - 4, wire, 4);
        return wire;
    }
}
