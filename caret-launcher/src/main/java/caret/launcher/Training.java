package caret.launcher;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code caret demo --train}: the run from which {@code ./caret} records the JDK's AOT cache, once
 * per build. The cache keeps the classes this run loads and its method profiles, so the JIT compiles
 * a new run's hot paths sooner; so the run is what a user runs: the command line
 * {@code caret -N -L ... -D ... user@host} in this JVM, connecting to the demo's SSH server in a second
 * JVM ({@code demo --serve}), which therefore leaves its classes and profiles out of the cache: with the
 * server in this JVM, a client started with 95 MiB resident where it now starts with about 78.
 *
 * <p>The second JVM also runs the traffic: an echo server on 127.0.0.1, and through the command line's
 * forwards many short connections and request/response exchanges, then bulk each way through the
 * local and the dynamic forward, and last connections that the application resets while their echo is
 * on its way. This JVM runs nothing but the command line, as a user's does. A
 * method the training compiled with C2 is compiled again from its profile only once every class that
 * compilation found initialized is initialized in the new run (JDK 25); classes only the traffic's own
 * sockets initialized here ({@code java.net.Socket}'s implementation, and {@code IOException} from
 * connecting before the forward was up) held the forwarding path's trained compilations back for the
 * whole of a run. Enough short connections for the per-connection path (accept, open, close) to reach
 * C2 here: a method called once per connection gets there after about 5,000 calls. A run that only
 * fetched a page left the bulk paths cold: a first download moved about 50 MB/s, interpreted, for its
 * first seconds. About 17 seconds on 2 cores.
 */
final class Training {

    private static final int CHUNK = 32 * 1024;
    private static final long BULK = 32L * 1024 * 1024;
    private static final int SHORT_CONNECTIONS = 8000;
    private static final int EXCHANGES = 2000;
    private static final int MESSAGE = 100; // bytes, as the benchmark's request/response clients send
    private static final int ABORT_ROUNDS = 50;
    private static final int ABORT_WIDTH = 16;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String TRAINED = "trained";

    private Training() {
    }

    /**
     * Initializes what the training's JVM had initialized before its C2 compilations and a run with the
     * cache would not: the JDK's big-endian byte-array access ({@code jdk.internal.util.ByteArray}),
     * which the training JVM, started without a cache, initializes to read the module descriptors that a
     * run with the cache finds archived. Until then the trained compilations of the forwarding path
     * (those of the accepting thread, the reactor and MINA's packet dispatch among them) wait. And
     * {@code SocketException}, which the training's resets initialized after those compilations: C2 code
     * compiled while a class is not initialized falls back to the interpreter the first time it creates
     * one, here at the first connection an application resets.
     */
    static void initializeAsTrained() {
        try {
            new DataInputStream(new ByteArrayInputStream(new byte[Short.BYTES])).readShort();
            MethodHandles.lookup().ensureInitialized(SocketException.class);
        } catch (IOException | IllegalAccessException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Runs the training; the demo server's JVM ends with it. 0 when every transfer came back whole. */
    static int run() throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("caret-train-");
        Path control = folder.resolve("control");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-p", System.getProperty("jdk.module.path"),
                "-m", "caret.launcher/caret.launcher.Main", "demo", "--serve")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            // "serving SSH_PORT CLIENT_KEY KNOWN_HOSTS ECHO_PORT LOCAL_PORT SOCKS_PORT"
            String[] serving = Optional.ofNullable(server.inputReader().readLine()).orElse("").split(" ");
            if (serving.length != 7 || !serving[0].equals("serving")) {
                throw new IOException("training: the demo server did not start: " + String.join(" ", serving));
            }
            // No keepalive: it would initialize MINA's global request classes here, and the packet encoder's trained
            // compilation would then wait in every run for its first keepalive, 10 s after connecting.
            Thread client = Thread.ofPlatform().daemon().name("caret-train-client").start(() -> Main.run(
                    "-N", "-F", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "CaretReconnect=no", "-o", "ServerAliveInterval=0",
                    "-o", "UserKnownHostsFile=" + serving[3], "-i", serving[2], "-p", serving[1],
                    "-S", control.toString(),
                    "-L", serving[5] + ":127.0.0.1:" + serving[4], "-D", serving[6],
                    System.getProperty("user.name") + "@127.0.0.1"));
            // a command line that ends (it could not connect or bind) ends the wait for the server's answer
            Thread.ofVirtual().start(() -> {
                try {
                    client.join();
                } catch (InterruptedException ignored) {
                    // training over
                }
                server.destroy();
            });
            String result = server.inputReader().readLine();
            if (!TRAINED.equals(result)) {
                throw new IOException("training: " + (result == null ? "the command line or the demo server ended" : result));
            }
            return 0; // the server's end ends the client (no reconnect); a control request would add Jackson to the cache
        } finally {
            server.destroy();
            server.waitFor();
            Files.deleteIfExists(control);
            Files.deleteIfExists(folder);
        }
    }

    /**
     * {@code demo --serve}: the training's second JVM. Prints the {@code serving} line, waits until the
     * training JVM's command line forwards to its echo server, runs the traffic through the forwards,
     * prints {@code trained} (or what failed), and serves until standard input ends.
     */
    static void serve(DemoServer demo, PrintStream out) throws IOException {
        try (ServerSocket echo = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().name("caret-train-echo").start(() -> echo(echo));
            int local = freePort();
            int socks = freePort();
            out.println("serving " + demo.sshPort() + " " + demo.clientKey() + " " + demo.knownHosts() + " "
                    + echo.getLocalPort() + " " + local + " " + socks);
            out.flush();
            try {
                traffic(new InetSocketAddress("127.0.0.1", local), new InetSocketAddress("127.0.0.1", socks),
                        new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
                out.println(TRAINED);
            } catch (IOException e) {
                out.println(e.getMessage());
            }
            out.flush();
            while (System.in.read() >= 0) {
                // the training's JVM holds the other end
            }
        }
    }

    private static void traffic(InetSocketAddress forward, InetSocketAddress socks, InetSocketAddress echo) throws IOException {
        awaitEcho(forward);
        for (int i = 0; i < SHORT_CONNECTIONS; i++) {
            bulk(Proxy.NO_PROXY, forward, 1);
        }
        exchanges(forward);
        bulk(Proxy.NO_PROXY, forward, BULK);
        bulk(new Proxy(Proxy.Type.SOCKS, socks), echo, BULK / 2);
        aborts(forward);
        bulk(Proxy.NO_PROXY, forward, 1); // the command line has handled the resets before the server ends
    }

    /**
     * Connections that the application resets while their echo is on its way, as a client that gives up
     * does. Last, and few enough that the JIT does not compile the forwarding path again here: the
     * profiles then hold the reset's branches and the class it throws, and a run's compiled forwarding
     * path does not fall back to the interpreter at its first reset.
     */
    private static void aborts(InetSocketAddress to) throws IOException {
        byte[] message = new byte[MESSAGE];
        for (int round = 0; round < ABORT_ROUNDS; round++) {
            Socket[] sockets = new Socket[ABORT_WIDTH];
            try {
                for (int i = 0; i < sockets.length; i++) {
                    sockets[i] = new Socket();
                    sockets[i].setTcpNoDelay(true);
                    sockets[i].connect(to);
                    sockets[i].getOutputStream().write(message);
                }
                for (Socket socket : sockets) {
                    if (socket.getInputStream().readNBytes(message, 0, message.length) != message.length) {
                        throw new IOException("training: an echo ended early");
                    }
                    socket.getOutputStream().write(message);
                    socket.setSoLinger(true, 0); // close() resets the connection
                }
            } finally {
                for (Socket socket : sockets) {
                    if (socket != null) {
                        socket.close();
                    }
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Waits until a byte comes back through the forward: the command line has connected and bound it. */
    private static void awaitEcho(InetSocketAddress forward) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                bulk(Proxy.NO_PROXY, forward, 1);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("training: the forward did not come up: " + notYet.getMessage(), notYet);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("training interrupted", e);
                }
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
            byte[] message = new byte[MESSAGE];
            for (int i = 0; i < EXCHANGES; i++) {
                out.write(message);
                if (in.readNBytes(message, 0, message.length) != message.length) {
                    throw new IOException("training: an exchange's echo ended early");
                }
            }
        }
    }

    private static void echo(ServerSocket server) {
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
