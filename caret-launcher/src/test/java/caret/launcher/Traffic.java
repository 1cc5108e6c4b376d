package caret.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends seeded random bytes through a socket and checks what comes back, by sha256, without holding it in memory. */
final class Traffic {

    private static final int CHUNK = 64 * 1024;

    private Traffic() {
    }

    /** The sha256 of {@code size} bytes from seed {@code seed}, as {@link #send} writes them. */
    static String expected(long seed, long size) {
        MessageDigest digest = sha256();
        Random random = new Random(seed);
        byte[] chunk = new byte[CHUNK];
        for (long left = size; left > 0; left -= CHUNK) {
            random.nextBytes(chunk);
            digest.update(chunk, 0, (int) Math.min(CHUNK, left));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Writes {@code size} seeded bytes, then shuts down the socket's output (half-close). */
    static void send(Socket socket, long seed, long size) throws IOException {
        OutputStream out = socket.getOutputStream();
        Random random = new Random(seed);
        byte[] chunk = new byte[CHUNK];
        for (long left = size; left > 0; left -= CHUNK) {
            random.nextBytes(chunk);
            out.write(chunk, 0, (int) Math.min(CHUNK, left));
        }
        out.flush();
        socket.shutdownOutput();
    }

    /** Reads to end of stream; returns the count and sha256 as {@code count:hex}. */
    static String receive(Socket socket) throws IOException {
        MessageDigest digest = sha256();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[CHUNK];
        long count = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            count += n;
        }
        return count + ":" + HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Sends {@code size} bytes and half-closes while reading the echo concurrently; returns what
     * came back as {@code count:sha256}, to compare with {@code size + ":" + expected(seed, size)}.
     */
    static String echo(Socket socket, long seed, long size) throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    send(socket, seed, size);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, executor);
            String received = receive(socket);
            sending.get(60, TimeUnit.SECONDS);
            return received;
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("sending failed", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether 1 KiB echoes back intact through {@code address} within 5 s: for waiting until a forward works. */
    static boolean roundTrips(caret.spi.Endpoint address) {
        try (Socket socket = Fixtures.connect(address)) {
            socket.setSoTimeout(5_000);
            return echo(socket, 3, 1024).equals(1024 + ":" + expected(3, 1024));
        } catch (Exception | AssertionError notYet) {
            return false;
        }
    }
}
