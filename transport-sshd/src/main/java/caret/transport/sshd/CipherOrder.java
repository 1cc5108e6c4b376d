package caret.transport.sshd;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;

/**
 * The ciphers a session offers, the fastest on this machine first (the server takes the first one
 * it also has). With AES instructions (AES-NI, ARMv8 crypto), which the JDK uses for AES-GCM
 * through HotSpot intrinsics, {@code aes128-gcm@openssh.com} is the fastest: 6 GB/s on one core of
 * an AVX-512 machine against 1.5 GB/s for chacha20-poly1305 ({@link ChaCha20Poly1305}). Without
 * them AES is a table-driven loop and ChaCha20, vectorized on any SIMD unit, wins. Then the AES-CTR
 * ciphers, with a MAC, for old servers. No CBC, no arcfour, no 3DES: OpenSSH has not offered them
 * by default since 7.x. The AES-GCM ciphers are MINA's, decrypting out of place ({@link AesGcm}).
 */
final class CipherOrder {

    private CipherOrder() {
    }

    /** The ciphers in the order for this machine: {@link #forAesInstructions} with {@link #hasAesInstructions()}. */
    static List<NamedFactory<Cipher>> forThisMachine() {
        return forAesInstructions(hasAesInstructions());
    }

    static List<NamedFactory<Cipher>> forAesInstructions(boolean aesInstructions) {
        List<NamedFactory<Cipher>> gcm = supported(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm).map(AesGcm::factory).toList();
        List<NamedFactory<Cipher>> order = new ArrayList<>();
        if (aesInstructions) {
            order.addAll(gcm);
            order.add(ChaCha20Poly1305.FACTORY);
        } else {
            order.add(ChaCha20Poly1305.FACTORY);
            order.addAll(gcm);
        }
        order.addAll(supported(BuiltinCiphers.aes128ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr)
                .<NamedFactory<Cipher>>map(c -> c).toList());
        return List.copyOf(order);
    }

    /** Those the JDK's providers can run (a JDK with limited crypto policy has no 256-bit AES). */
    private static Stream<BuiltinCiphers> supported(BuiltinCiphers... ciphers) {
        return Stream.of(ciphers).filter(BuiltinCiphers::isSupported);
    }

    /**
     * Whether HotSpot runs AES with the CPU's AES instructions: its {@code UseAESIntrinsics} flag,
     * which it turns on by itself when the CPU has them (and which {@code -XX:-UseAESIntrinsics}
     * turns off). A JVM without that flag is taken to have them, as nearly every 64-bit CPU sold
     * since 2010 has.
     */
    static boolean hasAesInstructions() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotSpot == null) {
                return true;
            }
            VMOption option = hotSpot.getVMOption("UseAESIntrinsics");
            return Boolean.parseBoolean(option.getValue());
        } catch (IllegalArgumentException notHotSpot) { // no such flag
            return true;
        }
    }
}
