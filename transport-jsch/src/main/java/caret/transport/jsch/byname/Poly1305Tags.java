package caret.transport.jsch.byname;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Poly1305 tags of {@link ChaCha20Poly1305}: {@link #init} with each packet's one-time key,
 * {@link #update}, {@link #doFinal}. On the JDK's own Poly1305 ({@code
 * com.sun.crypto.provider.Poly1305}, which HotSpot runs with vector intrinsics: 0.09 s per GiB on
 * this project's machine) where the JVM opens it to this module, as {@code ./caret} does with
 * {@code --add-opens java.base/com.sun.crypto.provider=caret.transport.jsch}; otherwise, or if a
 * JDK's class no longer gives RFC 8439's test vector, Bouncy Castle's, as JSch's own class does.
 * The JDK keeps its Poly1305 for its {@code ChaCha20-Poly1305} cipher, whose tag covers other bytes
 * than OpenSSH's, so it is reached by deep reflection. transport-sshd reaches it the same way.
 */
final class Poly1305Tags {

    private static final Logger log = LoggerFactory.getLogger(Poly1305Tags.class);
    private static final String JDK_CLASS = "com.sun.crypto.provider.Poly1305";
    private static final int KEY = 32;
    private static final int TAG = 16;

    /** {@code new Poly1305(false)}: no check of the one-time key's halves for zero, as OpenSSH; null without the JDK's. */
    private static final MethodHandle NEW;
    private static final MethodHandle INIT;
    private static final MethodHandle UPDATE;
    private static final MethodHandle DO_FINAL;

    static {
        MethodHandle newMac = null;
        MethodHandle init = null;
        MethodHandle update = null;
        MethodHandle doFinal = null;
        try {
            Class<?> type = Class.forName(JDK_CLASS);
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
                log.debug("Poly1305: Bouncy Castle's, as the JDK's {} gives {} for RFC 8439's test vector", JDK_CLASS, failure);
                newMac = null;
            } else {
                log.debug("Poly1305: the JDK's ({})", JDK_CLASS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Poly1305: Bouncy Castle's, as the JDK's cannot be reached ({}; the JVM needs --add-opens "
                    + "java.base/com.sun.crypto.provider=caret.transport.jsch)", e.toString());
            newMac = null;
        }
        NEW = newMac;
        INIT = init;
        UPDATE = update;
        DO_FINAL = doFinal;
    }

    private final Object jdk;
    private final Poly1305 bouncyCastle;

    Poly1305Tags() {
        if (NEW == null) {
            jdk = null;
            bouncyCastle = new Poly1305();
        } else {
            try {
                jdk = NEW.invokeExact(false);
            } catch (Throwable e) {
                throw failure("create", e);
            }
            bouncyCastle = null;
        }
    }

    /** Whether the tags are the JDK's. */
    boolean isJdks() {
        return jdk != null;
    }

    /** Starts a tag with the 32-byte one-time key at {@code key[offset]}. */
    void init(byte[] key, int offset) {
        if (jdk == null) {
            bouncyCastle.init(new KeyParameter(key, offset, KEY));
            return;
        }
        try {
            INIT.invokeExact(jdk, (Key) new SecretKeySpec(key, offset, KEY, "Poly1305"), (AlgorithmParameterSpec) null);
        } catch (Throwable e) {
            throw failure("start", e);
        }
    }

    void update(byte[] in, int offset, int length) {
        if (jdk == null) {
            bouncyCastle.update(in, offset, length);
            return;
        }
        try {
            UPDATE.invokeExact(jdk, in, offset, length);
        } catch (Throwable e) {
            throw failure("update", e);
        }
    }

    /** Writes the 16-byte tag to {@code out[offset]}. */
    void doFinal(byte[] out, int offset) {
        if (jdk == null) {
            bouncyCastle.doFinal(out, offset);
            return;
        }
        try {
            System.arraycopy((byte[]) DO_FINAL.invokeExact(jdk), 0, out, offset, TAG);
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
