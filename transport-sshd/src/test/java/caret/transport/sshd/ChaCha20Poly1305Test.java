package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.crypto.AEADBadTagException;

import org.apache.sshd.common.cipher.ChaCha20Cipher;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.mac.Poly1305Mac;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast {@code chacha20-poly1305@openssh.com} against known answers: RFC 8439's Poly1305 vector
 * (both Poly1305s: ours and the JDK's),
 * and MINA's own (pure Java, slow, long interoperable) implementation on random keys, sequence
 * numbers and packets. {@link CiphersWithOpenSshTest} checks it against a real OpenSSH sshd.
 */
class ChaCha20Poly1305Test {

    private static final HexFormat HEX = HexFormat.of();

    /** Both Poly1305s; the JDK's is there because surefire runs with the same --add-opens as ./caret. */
    static Stream<Named<Supplier<Poly1305>>> poly1305s() {
        return Stream.of(Named.named("ours", JavaPoly1305::new), Named.named("the JDK's", JdkPoly1305::new));
    }

    @Test
    void theJdksPoly1305IsReachedAndChosen() {
        assertTrue(JdkPoly1305.isAvailable(), "run with --add-opens java.base/com.sun.crypto.provider=caret.transport.sshd");
        assertInstanceOf(JdkPoly1305.class, Poly1305.create());
    }

    @ParameterizedTest
    @MethodSource("poly1305s")
    void poly1305GivesTheTagOfRfc8439(Supplier<Poly1305> implementation) {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        Poly1305 poly = implementation.get();
        poly.init(key, 0);
        poly.update(message, 0, message.length);
        byte[] tag = new byte[16];
        poly.finish(tag, 0);
        assertEquals("a8061dc1305136c6c22b8baf0c0127a9", HEX.formatHex(tag));
    }

    @ParameterizedTest
    @MethodSource("poly1305s")
    void poly1305AgreesWithMinasOnRandomInputInRandomPieces(Supplier<Poly1305> implementation) throws Exception {
        Random random = new Random(1305);
        Poly1305 ours = implementation.get(); // one instance for all: each init starts a new tag
        for (int i = 0; i < 5000; i++) {
            byte[] key = bytes(random, 32);
            if (i % 3 == 0) {
                Arrays.fill(key, 0, 16, (byte) 0xFF); // the largest r the clamp allows
            }
            if (i % 7 == 0) {
                Arrays.fill(key, 16, 32, (byte) 0); // s = 0: the JDK's weak-key check must be off
            }
            byte[] message = bytes(random, random.nextInt(300));
            if (i % 5 == 0) {
                Arrays.fill(message, (byte) 0xFF); // carries everywhere
            }
            Poly1305Mac mina = new Poly1305Mac();
            mina.init(key);
            mina.update(message, 0, message.length);
            ours.init(key, 0);
            int split = message.length == 0 ? 0 : random.nextInt(message.length);
            ours.update(message, 0, split);
            ours.update(message, split, message.length - split);
            byte[] tag = new byte[16];
            ours.finish(tag, 0);
            assertArrayEquals(mina.doFinal(), tag, "message " + i + " of " + message.length + " bytes");
        }
    }

    @Test
    void encryptsExactlyAsMinasAndEachDecryptsTheOther() throws Exception {
        Random random = new Random(20);
        for (int session = 0; session < 200; session++) {
            byte[] key = bytes(random, 64);
            // around the wrap of the 32-bit sequence number too
            long sequence = session % 2 == 0 ? random.nextInt() & 0xFFFF_FFFFL : 0xFFFF_FFF0L + random.nextInt(10);
            Cipher ours = init(new ChaCha20Poly1305(), Cipher.Mode.Encrypt, key, sequence);
            Cipher mina = init(new ChaCha20Cipher(), Cipher.Mode.Encrypt, key, sequence);
            Cipher oursDecrypting = init(new ChaCha20Poly1305(), Cipher.Mode.Decrypt, key, sequence);
            Cipher minaDecrypting = init(new ChaCha20Cipher(), Cipher.Mode.Decrypt, key, sequence);
            for (int packet = 0; packet < 20; packet++) {
                int length = 8 * (1 + random.nextInt(packet == 0 ? 5000 : 100));
                byte[] plain = bytes(random, 4 + length + 16);
                byte[] byUs = plain.clone();
                byte[] byMina = plain.clone();
                ours.updateWithAAD(byUs, 0, 4, length);
                mina.updateWithAAD(byMina, 0, 4, length);
                assertArrayEquals(byMina, byUs, "session " + session + " packet " + packet);

                byte[] decryptedByUs = byMina.clone();
                oursDecrypting.updateAAD(decryptedByUs, 0, 4);
                oursDecrypting.update(decryptedByUs, 4, length);
                byte[] decryptedByMina = byUs.clone();
                minaDecrypting.updateAAD(decryptedByMina, 0, 4);
                minaDecrypting.update(decryptedByMina, 4, length);
                assertArrayEquals(Arrays.copyOf(plain, 4 + length), Arrays.copyOf(decryptedByUs, 4 + length));
                assertArrayEquals(Arrays.copyOf(plain, 4 + length), Arrays.copyOf(decryptedByMina, 4 + length));
            }
        }
    }

    @Test
    void refusesAPacketWithOneBitChanged() throws Exception {
        Random random = new Random(7);
        byte[] key = bytes(random, 64);
        for (int bit : new int[] {0, 31, 32 + 5, 8 * (4 + 64) + 3}) { // length, payload, tag
            byte[] packet = bytes(random, 4 + 64 + 16);
            init(new ChaCha20Poly1305(), Cipher.Mode.Encrypt, key, 3).updateWithAAD(packet, 0, 4, 64);
            packet[bit / 8] ^= (byte) (1 << (bit % 8));
            Cipher decrypting = init(new ChaCha20Poly1305(), Cipher.Mode.Decrypt, key, 3);
            decrypting.updateAAD(packet, 0, 4);
            assertThrows(AEADBadTagException.class, () -> decrypting.update(packet, 4, 64), "bit " + bit);
        }
    }

    @Test
    void describesItselfAsMinaExpectsOfAChaChaCipher() {
        ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
        // MINA seeds the IV with the packet sequence number for algorithms named ChaCha*
        assertEquals("ChaCha20", cipher.getAlgorithm());
        assertEquals(16, cipher.getAuthenticationTagSize());
        assertEquals(64, cipher.getKdfSize());
        assertEquals(8, cipher.getIVSize());
        assertEquals("chacha20-poly1305@openssh.com", ChaCha20Poly1305.FACTORY.getName());
    }

    private static Cipher init(Cipher cipher, Cipher.Mode mode, byte[] key, long sequence) throws Exception {
        byte[] iv = new byte[8];
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (sequence >>> (56 - 8 * i));
        }
        cipher.init(mode, key, iv);
        return cipher;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
