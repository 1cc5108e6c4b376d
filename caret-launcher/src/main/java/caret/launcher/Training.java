package caret.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code caret demo --train}: the run from which {@code ./caret} records the JDK's AOT cache, once
 * per build. The cache keeps the classes this run loads and its method profiles, so the JIT compiles
 * a new run's hot paths sooner; so the run is what a user runs: the command line
 * {@code caret -N -L ... -D ... user@host} in this JVM, connecting to the demo's SSH server in a second
 * JVM (which therefore leaves its classes and profiles out of the cache: with the server in this JVM,
 * a client started with 95 MiB resident where it now starts with about 78). Through its forwards to
 * an echo server on 127.0.0.1: many short connections and request/response exchanges (the connection
 * path's profiles reach the JIT's top tier only after thousands), then bulk each way through the
 * local and the dynamic forward (a run that only fetched a page left the bulk paths cold: a first
 * download moved about 50 MB/s, interpreted, for its first seconds). A few seconds.
 */
final class Training {

    private static final int CHUNK = 32 * 1024;
    private static final long BULK = 32L * 1024 * 1024;
    /** Enough for the connection path's profiles to reach the JIT's top tier (tens of thousands of calls). */
    private static final int SHORT_CONNECTIONS = 2000;
    private static final int EXCHANGES = 2000;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private Training() {
    }

    /** Runs the training; the demo server's JVM ends with it. 0 when every transfer came back whole. */
    static int run() throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("caret-train-");
        Path control = folder.resolve("control");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-p", System.getProperty("jdk.module.path"),
                "-m", "caret.launcher/caret.launcher.Main", "demo", "--serve")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (ServerSocket echo = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            // "serving SSH_PORT CLIENT_KEY KNOWN_HOSTS"
            String[] serving = Optional.ofNullable(server.inputReader().readLine()).orElse("").split(" ");
            if (serving.length != 4 || !serving[0].equals("serving")) {
                throw new IOException("training: the demo server did not start: " + String.join(" ", serving));
            }
            Thread.ofVirtual().name("caret-train-echo").start(() -> serve(echo));
            int local = freePort();
            int socks = freePort();
            Thread client = Thread.ofPlatform().daemon().name("caret-train-client").start(() -> Main.run(
                    "-N", "-F", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "CaretReconnect=no",
                    "-o", "UserKnownHostsFile=" + serving[3], "-i", serving[2], "-p", serving[1],
                    "-S", control.toString(),
                    "-L", local + ":127.0.0.1:" + echo.getLocalPort(), "-D", Integer.toString(socks),
                    System.getProperty("user.name") + "@127.0.0.1"));
            InetSocketAddress forward = new InetSocketAddress("127.0.0.1", local);
            awaitEcho(forward, client);
            for (int i = 0; i < SHORT_CONNECTIONS; i++) {
                bulk(Proxy.NO_PROXY, forward, 1);
            }
            exchanges(forward);
            bulk(Proxy.NO_PROXY, forward, BULK);
            Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks));
            bulk(proxy, new InetSocketAddress("127.0.0.1", echo.getLocalPort()), BULK / 2);
            return 0; // the server's end ends the client (no reconnect); a control request would add Jackson to the cache
        } finally {
            server.destroy();
            server.waitFor();
            Files.deleteIfExists(control);
            Files.deleteIfExists(folder);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Waits until a byte comes back through the forward: the command line has connected and bound it. */
    private static void awaitEcho(InetSocketAddress forward, Thread client) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                bulk(Proxy.NO_PROXY, forward, 1);
                return;
            } catch (IOException notYet) {
                if (!client.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("training: the forward did not come up: " + notYet.getMessage(), notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Sends {@code size} bytes and reads their echo at the same time. */
    private static void bulk(Proxy proxy, InetSocketAddress to, long size) throws IOException {
        try (Socket socket = new Socket(proxy)) {
            socket.connect(to);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    byte[] chunk = new byte[CHUNK];
                    for (long left = size; left > 0; left -= CHUNK) {
                        out.write(chunk, 0, (int) Math.min(CHUNK, left));
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[CHUNK];
            long received = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
            writer.join();
            if (received != size) {
                throw new IOException("training: " + received + " of " + size + " bytes came back");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("training interrupted", e);
        }
    }

    /** Small messages back and forth on one connection, each waiting for its echo: the request/response path. */
    private static void exchanges(InetSocketAddress to) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(to);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] message = new byte[100];
            for (int i = 0; i < EXCHANGES; i++) {
                out.write(message);
                if (in.readNBytes(message, 0, message.length) != message.length) {
                    throw new IOException("training: an exchange's echo ended early");
                }
            }
        }
    }

    private static void serve(ServerSocket server) {
        try {
            while (true) {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                        socket.shutdownOutput();
                    } catch (IOException ignored) {
                        // the training's client went away
                    }
                });
            }
        } catch (IOException closed) {
            // training over
        }
    }
}
