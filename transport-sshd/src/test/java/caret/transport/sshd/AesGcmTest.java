package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.crypto.AEADBadTagException;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;

/**
 * {@link AesGcm} against MINA's own AES-GCM, packet by packet as MINA's packet codec calls a
 * cipher: the 4-byte length as AAD, then the rest of the packet and its tag. A real server's
 * packets both ways are in {@code CiphersWithOpenSshTest}.
 */
class AesGcmTest {

    private static final int TAG = 16;

    @Test
    void offersBothKeySizesUnderMinasNames() {
        assertEquals(List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com"),
                gcm().stream().map(NamedFactory::getName).toList());
        gcm().forEach(factory -> assertInstanceOf(AesGcm.class, factory.create()));
    }

    @Test
    void decryptsWhatMinasEncryptsAndMinaDecryptsWhatItEncrypts() throws Exception {
        for (NamedFactory<Cipher> factory : gcm()) {
            BuiltinCiphers mina = BuiltinCiphers.fromFactoryName(factory.getName());
            Random random = new Random(factory.getName().hashCode());
            byte[] key = new byte[mina.getKdfSize()];
            byte[] iv = new byte[mina.getIVSize()];
            random.nextBytes(key);
            random.nextBytes(iv);
            Cipher ourEncrypt = started(factory.create(), Cipher.Mode.Encrypt, key, iv);
            Cipher ourDecrypt = started(factory.create(), Cipher.Mode.Decrypt, key, iv);
            Cipher theirEncrypt = started(mina.create(), Cipher.Mode.Encrypt, key, iv);
            Cipher theirDecrypt = started(mina.create(), Cipher.Mode.Decrypt, key, iv);
            // packets of growing and shrinking size, past one of the largest the decrypting array has held
            for (int size : new int[] {16, 32_768, 48, 65_536, 1_024, 32_768}) {
                byte[] packet = packet(random, size);
                assertArrayEquals(packet, roundTrip(theirEncrypt, ourDecrypt, packet), factory.getName() + ", " + size + " bytes");
                assertArrayEquals(packet, roundTrip(ourEncrypt, theirDecrypt, packet), factory.getName() + ", " + size + " bytes");
            }
        }
    }

    @Test
    void refusesATamperedPacketAndLeavesItAsItCame() throws Exception {
        NamedFactory<Cipher> factory = gcm().get(0);
        byte[] key = new byte[16];
        byte[] iv = new byte[12];
        Cipher encrypt = started(factory.create(), Cipher.Mode.Encrypt, key, iv);
        Cipher decrypt = started(factory.create(), Cipher.Mode.Decrypt, key, iv);
        byte[] wire = encrypted(encrypt, packet(new Random(1), 4_096));
        wire[100] ^= 1;
        byte[] received = wire.clone();
        decrypt.updateAAD(received, 0, 4);
        assertThrows(AEADBadTagException.class, () -> decrypt.update(received, 4, received.length - 4 - TAG));
        assertArrayEquals(wire, received);
    }

    /** The AES-GCM ciphers the transport offers, from its cipher order. */
    private static List<NamedFactory<Cipher>> gcm() {
        return CipherOrder.forAesInstructions(true).stream().filter(f -> f.getName().contains("gcm")).toList();
    }

    private static Cipher started(Cipher cipher, Cipher.Mode mode, byte[] key, byte[] iv) throws Exception {
        cipher.init(mode, key, iv);
        return cipher;
    }

    /** A length field and that many bytes, as the packet codec hands them to the cipher. */
    private static byte[] packet(Random random, int size) {
        byte[] packet = new byte[4 + size];
        random.nextBytes(packet);
        packet[0] = (byte) (size >>> 24);
        packet[1] = (byte) (size >>> 16);
        packet[2] = (byte) (size >>> 8);
        packet[3] = (byte) size;
        return packet;
    }

    /** The packet encrypted, its tag after it. */
    private static byte[] encrypted(Cipher encrypt, byte[] packet) throws Exception {
        byte[] wire = Arrays.copyOf(packet, packet.length + TAG);
        encrypt.updateAAD(wire, 0, 4);
        encrypt.update(wire, 4, packet.length - 4);
        return wire;
    }

    private static byte[] roundTrip(Cipher encrypt, Cipher decrypt, byte[] packet) throws Exception {
        byte[] wire = encrypted(encrypt, packet);
        decrypt.updateAAD(wire, 0, 4);
        decrypt.update(wire, 4, packet.length - 4);
        return Arrays.copyOf(wire, packet.length);
    }
}
