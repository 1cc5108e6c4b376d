package caret.transport.jsch.byname;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.Cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The interleaving of JSch's key renewal that corrupted a connection (see {@link KeyRenewal}),
 * replayed step by step on our two ciphers with JSch's calls: a "session" thread encrypts NEWKEYS,
 * a writer starts its DATA packet on the cipher field before the session thread has put the new
 * cipher there, or before it has initialized it; the session thread then does both (in JSch
 * 2.28's order, and in the other). The writer's packet must decrypt with the new keys, as the
 * server reads it, and every later packet too; with a new cipher of another kind it fails instead.
 */
class KeyRenewalTest {

    private static final byte NEWKEYS = 21;
    private static final byte CHANNEL_DATA = 94;
    private static final long WAIT_SECONDS = 20;

    private final Random random = new Random(20261206);
    private final ExecutorService session = Executors.newSingleThreadExecutor(r -> new Thread(r, "session"));

    @AfterEach
    void stopSession() {
        session.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void aPacketStartedOnTheCipherThatSentNewkeysIsEncryptedWithTheNewKeys(Scheme scheme) throws Exception {
        Keys oldKeys = keys(scheme);
        Keys newKeys = keys(scheme);
        AtomicReference<Cipher> field = new AtomicReference<>();
        byte[] newkeys = packet(NEWKEYS, 1);
        byte[] sentNewkeys = sendNewkeys(scheme, oldKeys, field, newkeys);

        byte[] data = packet(CHANNEL_DATA, 1000);
        CompletableFuture<byte[]> late = waitingWriter(() -> scheme.encode(field, 4, data));

        onSession(() -> {
            Cipher renewed = scheme.create();
            field.set(renewed); // JSch's updateKeys: the field first, then init
            renewed.init(Cipher.ENCRYPT_MODE, newKeys.key(), newKeys.iv());
            return null;
        });
        byte[] sentData = late.get(WAIT_SECONDS, TimeUnit.SECONDS);
        byte[] sentNext = scheme.encode(field, 5, data);

        assertArrayEquals(body(newkeys), scheme.decrypt(scheme.decrypting(oldKeys), 3, sentNewkeys));
        Cipher server = scheme.decrypting(newKeys);
        assertArrayEquals(body(data), scheme.decrypt(server, 4, sentData), "the late packet, with the new keys");
        assertArrayEquals(body(data), scheme.decrypt(server, 5, sentNext), "the next packet");
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void aPacketStartedOnTheNewCipherBeforeItsInitWaitsForIt(Scheme scheme) throws Exception {
        Keys oldKeys = keys(scheme);
        Keys newKeys = keys(scheme);
        AtomicReference<Cipher> field = new AtomicReference<>();
        sendNewkeys(scheme, oldKeys, field, packet(NEWKEYS, 1));
        Cipher renewed = onSession(() -> {
            Cipher next = scheme.create();
            field.set(next);
            return next;
        });

        byte[] data = packet(CHANNEL_DATA, 4000);
        CompletableFuture<byte[]> late = waitingWriter(() -> scheme.encode(field, 4, data));

        onSession(() -> {
            renewed.init(Cipher.ENCRYPT_MODE, newKeys.key(), newKeys.iv());
            return null;
        });
        assertArrayEquals(body(data), scheme.decrypt(scheme.decrypting(newKeys), 4, late.get(WAIT_SECONDS, TimeUnit.SECONDS)));
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void aLatePacketGoesWhollyToTheNewCipherWhenItIsInitializedBeforeItIsInTheField(Scheme scheme) throws Exception {
        Keys oldKeys = keys(scheme);
        Keys newKeys = keys(scheme);
        AtomicReference<Cipher> field = new AtomicReference<>();
        sendNewkeys(scheme, oldKeys, field, packet(NEWKEYS, 1));

        byte[] data = packet(CHANNEL_DATA, 2000);
        CompletableFuture<byte[]> late = waitingWriter(() -> scheme.encode(field, 4, data));
        Cipher renewed = onSession(() -> { // the other order than JSch 2.28's: init, then the field
            Cipher next = scheme.create();
            next.init(Cipher.ENCRYPT_MODE, newKeys.key(), newKeys.iv());
            return next;
        });
        byte[] sent = late.get(WAIT_SECONDS, TimeUnit.SECONDS); // every call went from the old cipher to the new
        field.set(renewed);
        assertArrayEquals(body(data), scheme.decrypt(scheme.decrypting(newKeys), 4, sent));
    }

    @Test
    void aLatePacketFailsAtOnceWhenTheNewCipherIsAnotherKind() throws Exception {
        Scheme scheme = Scheme.AES128_GCM;
        AtomicReference<Cipher> field = new AtomicReference<>();
        sendNewkeys(scheme, keys(scheme), field, packet(NEWKEYS, 1));
        CompletableFuture<byte[]> late = waitingWriter(() -> scheme.encode(field, 4, packet(CHANNEL_DATA, 100)));
        onSession(() -> {
            Cipher other = Scheme.CHACHA20_POLY1305.create();
            field.set(other);
            other.init(Cipher.ENCRYPT_MODE, keys(scheme).key(), new byte[8]);
            return null;
        });
        ExecutionException failure = assertThrows(ExecutionException.class, () -> late.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(GeneralSecurityException.class, failure.getCause());
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void onlyAnEncryptedNewkeysRetiresACipher(Scheme scheme) throws Exception {
        Keys keys = keys(scheme);
        AtomicReference<Cipher> field = new AtomicReference<>(scheme.encrypting(keys));
        Cipher server = scheme.decrypting(keys);
        byte[][] packets = {packet(NEWKEYS, 16), packet(CHANNEL_DATA, 500), packet(CHANNEL_DATA, 500)};
        for (int sequence = 0; sequence < packets.length; sequence++) {
            byte[] plain = packets[sequence];
            int at = sequence;
            byte[] sent = onSession(() -> scheme.encode(field, at, plain)); // type 21 with more than its type: not NEWKEYS
            assertArrayEquals(body(plain), scheme.decrypt(server, sequence, sent));
        }

        // the other direction: a decrypting cipher that reads NEWKEYS reads on
        byte[] newkeys = packet(NEWKEYS, 1);
        byte[] data = packet(CHANNEL_DATA, 500);
        byte[][] sent = onSession(() -> {
            Cipher other = scheme.encrypting(keys); // packet 0 of the same keys, not read
            scheme.encode(new AtomicReference<>(other), 0, data);
            return new byte[][] {scheme.encode(new AtomicReference<>(scheme.encrypting(keys)), 0, newkeys),
                scheme.encode(new AtomicReference<>(other), 1, data)};
        });
        Cipher reader = scheme.decrypting(keys);
        assertArrayEquals(body(newkeys), scheme.decrypt(reader, 0, sent[0]));
        assertArrayEquals(body(data), scheme.decrypt(reader, 1, sent[1]));
    }

    /** On the session thread: a cipher with {@code keys} in {@code field} encrypts NEWKEYS as packet 3; returns it encrypted. */
    private byte[] sendNewkeys(Scheme scheme, Keys keys, AtomicReference<Cipher> field, byte[] newkeys) throws Exception {
        return onSession(() -> {
            field.set(scheme.encrypting(keys));
            return scheme.encode(field, 3, newkeys);
        });
    }

    private <T> T onSession(java.util.concurrent.Callable<T> step) throws Exception {
        return session.submit(step).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Starts {@code encode} on a writer thread and returns once the writer waits in it (in a wait
     * with a timeout); fails if it finishes instead: it must wait for the new keys.
     */
    private static CompletableFuture<byte[]> waitingWriter(java.util.concurrent.Callable<byte[]> encode)
            throws InterruptedException {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread writer = Thread.ofPlatform().name("writer").start(() -> {
            try {
                result.complete(encode.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!result.isDone() && writer.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the writer neither waits nor finishes");
            Thread.onSpinWait();
        }
        assertFalse(result.isDone(), "the writer waits for the new keys");
        return result;
    }

    private Keys keys(Scheme scheme) {
        byte[] key = new byte[64];
        byte[] iv = new byte[16];
        random.nextBytes(key);
        random.nextBytes(iv);
        return new Keys(key, iv);
    }

    /**
     * A packet as JSch builds it for these ciphers, before encryption: length, padding length, type,
     * payload, padding, the length excluded from the 16-byte multiple.
     */
    private byte[] packet(byte type, int payload) {
        int padding = 4 + 15 - (1 + payload + 4 + 15) % 16;
        byte[] packet = new byte[4 + 1 + payload + padding];
        random.nextBytes(packet);
        int length = packet.length - 4;
        packet[0] = (byte) (length >>> 24);
        packet[1] = (byte) (length >>> 16);
        packet[2] = (byte) (length >>> 8);
        packet[3] = (byte) length;
        packet[4] = (byte) padding;
        packet[5] = type;
        return packet;
    }

    /** What the server reads once the length is known: from the padding length to the end. */
    private static byte[] body(byte[] packet) {
        return Arrays.copyOfRange(packet, 4, packet.length);
    }

    private record Keys(byte[] key, byte[] iv) {
    }

    /** Each cipher driven as JSch's {@code Session.encode} and {@code read} drive it. */
    enum Scheme {
        CHACHA20_POLY1305 {
            @Override
            Cipher create() throws Exception {
                return new ChaCha20Poly1305();
            }

            @Override
            byte[] encode(AtomicReference<Cipher> field, int sequence, byte[] plain) throws Exception {
                byte[] buf = Arrays.copyOf(plain, plain.length + 16);
                field.get().update(sequence);
                field.get().update(buf, 0, 4, buf, 0);
                field.get().doFinal(buf, 0, plain.length, buf, 0);
                return buf;
            }

            @Override
            byte[] decrypt(Cipher cipher, int sequence, byte[] sent) throws Exception {
                byte[] buf = sent.clone();
                byte[] length = new byte[4];
                cipher.update(sequence);
                cipher.update(buf, 0, 4, length, 0);
                cipher.doFinal(buf, 0, buf.length - 16, buf, 0);
                return Arrays.copyOfRange(buf, 4, buf.length - 16);
            }
        },
        AES128_GCM {
            @Override
            Cipher create() {
                return new Aes128Gcm();
            }

            @Override
            byte[] encode(AtomicReference<Cipher> field, int sequence, byte[] plain) throws Exception {
                byte[] buf = Arrays.copyOf(plain, plain.length + 16);
                field.get().updateAAD(buf, 0, 4);
                field.get().doFinal(buf, 4, plain.length - 4, buf, 4);
                return buf;
            }

            @Override
            byte[] decrypt(Cipher cipher, int sequence, byte[] sent) throws Exception {
                byte[] buf = sent.clone();
                cipher.updateAAD(buf, 0, 4);
                cipher.doFinal(buf, 4, buf.length - 4, buf, 4);
                return Arrays.copyOfRange(buf, 4, buf.length - 16);
            }
        };

        abstract Cipher create() throws Exception;

        /** JSch's encode of one packet, reading the cipher field before each call; returns what goes on the wire. */
        abstract byte[] encode(AtomicReference<Cipher> field, int sequence, byte[] plain) throws Exception;

        /** The server's reading of one packet, returned from the padding length on. */
        abstract byte[] decrypt(Cipher cipher, int sequence, byte[] sent) throws Exception;

        Cipher encrypting(Keys keys) throws Exception {
            Cipher cipher = create();
            cipher.init(Cipher.ENCRYPT_MODE, keys.key(), keys.iv());
            return cipher;
        }

        Cipher decrypting(Keys keys) throws Exception {
            Cipher cipher = create();
            cipher.init(Cipher.DECRYPT_MODE, keys.key(), keys.iv());
            return cipher;
        }
    }
}
