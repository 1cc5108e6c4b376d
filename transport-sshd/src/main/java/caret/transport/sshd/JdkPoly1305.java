package caret.transport.sshd;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Poly1305} on the JDK's own implementation, {@code com.sun.crypto.provider.Poly1305}, which
 * HotSpot runs with vector intrinsics (AVX-512 IFMA or AVX2 on x86-64): 0.09 s per GiB on this
 * project's machine against {@link JavaPoly1305}'s 0.54. The JDK keeps it inside {@code java.base}
 * for its {@code ChaCha20-Poly1305} cipher, whose tag covers other bytes than OpenSSH's. So it is
 * reached by deep reflection, which works only when the JVM runs with
 * {@code --add-opens java.base/com.sun.crypto.provider=caret.transport.sshd}; {@code ./caret} does.
 * Without it, or if a JDK has changed the class so that RFC 8439's test vector no longer comes out,
 * {@link Poly1305#create()} falls back to {@link JavaPoly1305} and says why in the debug log.
 */
final class JdkPoly1305 implements Poly1305 {

    private static final Logger log = LoggerFactory.getLogger(JdkPoly1305.class);
    private static final String CLASS = "com.sun.crypto.provider.Poly1305";

    /** {@code new Poly1305(false)}: no check of the one-time key's halves for zero, as OpenSSH. */
    private static final MethodHandle NEW;
    /** {@code engineInit(Key, AlgorithmParameterSpec)} */
    private static final MethodHandle INIT;
    /** {@code engineUpdate(byte[], int, int)} */
    private static final MethodHandle UPDATE;
    /** {@code engineDoFinal()}, the 16-byte tag */
    private static final MethodHandle DO_FINAL;

    static {
        MethodHandle newMac = null;
        MethodHandle init = null;
        MethodHandle update = null;
        MethodHandle doFinal = null;
        try {
            Class<?> type = Class.forName(CLASS);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            newMac = lookup.findConstructor(type, MethodType.methodType(void.class, boolean.class))
                    .asType(MethodType.methodType(Object.class, boolean.class));
            init = lookup.findVirtual(type, "engineInit",
                            MethodType.methodType(void.class, Key.class, AlgorithmParameterSpec.class))
                    .asType(MethodType.methodType(void.class, Object.class, Key.class, AlgorithmParameterSpec.class));
            update = lookup.findVirtual(type, "engineUpdate", MethodType.methodType(void.class, byte[].class, int.class, int.class))
                    .asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class, int.class));
            doFinal = lookup.findVirtual(type, "engineDoFinal", MethodType.methodType(byte[].class))
                    .asType(MethodType.methodType(byte[].class, Object.class));
            String failure = selfTest(newMac, init, update, doFinal);
            if (failure != null) {
                log.debug("Poly1305: ours, as the JDK's {} gives {} for RFC 8439's test vector", CLASS, failure);
                newMac = null;
            } else {
                log.debug("Poly1305: the JDK's ({})", CLASS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Poly1305: ours, as the JDK's cannot be reached ({}; the JVM needs --add-opens "
                    + "java.base/com.sun.crypto.provider=caret.transport.sshd)", e.toString());
            newMac = null;
        }
        NEW = newMac;
        INIT = init;
        UPDATE = update;
        DO_FINAL = doFinal;
    }

    private final Object mac;

    JdkPoly1305() {
        if (NEW == null) {
            throw new IllegalStateException("The JDK's Poly1305 cannot be used here (see isAvailable)");
        }
        try {
            mac = NEW.invokeExact(false);
        } catch (Throwable e) {
            throw failure("create", e);
        }
    }

    /** Whether the JDK's Poly1305 can be reached and gives the right tag. */
    static boolean isAvailable() {
        return NEW != null;
    }

    @Override
    public void init(byte[] key, int offset) {
        try {
            INIT.invokeExact(mac, (Key) new SecretKeySpec(key, offset, KEY_SIZE, "Poly1305"), (AlgorithmParameterSpec) null);
        } catch (Throwable e) {
            throw failure("start", e);
        }
    }

    @Override
    public void update(byte[] data, int offset, int length) {
        try {
            UPDATE.invokeExact(mac, data, offset, length);
        } catch (Throwable e) {
            throw failure("update", e);
        }
    }

    @Override
    public void finish(byte[] out, int offset) {
        try {
            byte[] tag = (byte[]) DO_FINAL.invokeExact(mac);
            System.arraycopy(tag, 0, out, offset, TAG_SIZE);
        } catch (Throwable e) {
            throw failure("finish", e);
        }
    }

    private static RuntimeException failure(String step, Throwable e) {
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("The JDK's Poly1305 failed to " + step + " a tag: " + e, e);
    }

    /** Null when RFC 8439's test vector (section 2.5.2) comes out, else the tag that did. */
    private static String selfTest(MethodHandle newMac, MethodHandle init, MethodHandle update, MethodHandle doFinal) {
        HexFormat hex = HexFormat.of();
        byte[] key = hex.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        try {
            Object mac = newMac.invokeExact(false);
            init.invokeExact(mac, (Key) new SecretKeySpec(key, "Poly1305"), (AlgorithmParameterSpec) null);
            update.invokeExact(mac, message, 0, message.length);
            byte[] tag = (byte[]) doFinal.invokeExact(mac);
            return Arrays.equals(tag, hex.parseHex("a8061dc1305136c6c22b8baf0c0127a9")) ? null : hex.formatHex(tag);
        } catch (Throwable e) {
            return e.toString();
        }
    }
}
