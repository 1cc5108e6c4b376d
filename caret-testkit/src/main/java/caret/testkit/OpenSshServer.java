package caret.testkit;

import caret.spi.Endpoint;
import caret.spi.HostKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A real OpenSSH {@code sshd} on 127.0.0.1 for tests: ed25519 host and user keys in a folder of
 * the test's own, a free port, public key authentication only, TCP forwarding allowed.
 *
 * <pre>{@code
 * try (OpenSshServer sshd = OpenSshServer.start(tempDir, "PermitListen 127.0.0.1:1")) {
 *     connect(sshd.endpoint(), sshd.user(), sshd.userKey(), sshd.hostKey());
 * }
 * }</pre>
 *
 * Needs {@code /usr/sbin/sshd} and {@code ssh-keygen} ({@code apt-get install openssh-server}) and
 * must run as a user that sshd lets log in with a key (root works: {@code PermitRootLogin
 * prohibit-password}).
 */
public final class OpenSshServer implements AutoCloseable {

    private static final String SSHD = "/usr/sbin/sshd";
    private static final String SSH_KEYGEN = "ssh-keygen";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int BIND_ATTEMPTS = 5;

    private final Process process;
    private final int port;
    private final Path dir;
    private final Path userKey;
    private final Path knownHosts;
    private final Path logFile;
    private final Path config;
    private final HostKey hostKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean frozen;

    private OpenSshServer(Process process, int port, Path dir, Path userKey, Path knownHosts, Path logFile,
            Path config, HostKey hostKey) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.userKey = userKey;
        this.knownHosts = knownHosts;
        this.logFile = logFile;
        this.config = config;
        this.hostKey = hostKey;
    }

    /**
     * Starts sshd with its keys and files in {@code dir} and returns once it accepts connections.
     * Keys already in {@code dir} are reused, so several servers may share one folder.
     *
     * @param extraConfigLines sshd_config lines, such as {@code PermitOpen none} or
     *     {@code AllowTcpForwarding no}; written before the defaults, so that they win (sshd takes
     *     the first value of a keyword; a {@code HostKey} line adds a key)
     * @throws IllegalStateException with sshd's log when it does not come up
     */
    public static OpenSshServer start(Path dir, String... extraConfigLines) {
        try {
            Path root = dir.toAbsolutePath();
            Files.createDirectories(root);
            Path privsep = Path.of("/run/sshd");
            if (!Files.isDirectory(privsep)) {
                Files.createDirectories(privsep,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            Path hostKeyFile = keyPair(root.resolve("ssh_host_ed25519_key"));
            Path userKeyFile = keyPair(root.resolve("id_ed25519"));
            Path authorizedKeys = root.resolve("authorized_keys");
            Files.writeString(authorizedKeys, Files.readString(pub(userKeyFile), StandardCharsets.US_ASCII));
            HostKey hostKey = parsePublicKey(Files.readString(pub(hostKeyFile), StandardCharsets.US_ASCII));

            List<String> failures = new ArrayList<>();
            for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
                int port = freePort();
                String name = "sshd-" + port;
                Path config = root.resolve(name + "_config");
                Path log = root.resolve(name + ".log");
                Path pidFile = root.resolve(name + ".pid");
                List<String> lines = new ArrayList<>(List.of(extraConfigLines));
                lines.addAll(List.of(
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + hostKeyFile,
                        "PidFile " + pidFile,
                        "AuthorizedKeysFile " + authorizedKeys,
                        "StrictModes no",
                        "UsePAM no",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PermitRootLogin prohibit-password",
                        "AllowTcpForwarding yes",
                        "GatewayPorts no"));
                Files.write(config, lines, StandardCharsets.US_ASCII);

                Process process = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .start();
                if (awaitListening(process, port)) {
                    Path knownHosts = root.resolve("known_hosts-" + port);
                    Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostKey.openSshText() + "\n",
                            StandardCharsets.US_ASCII);
                    return new OpenSshServer(process, port, root, userKeyFile, knownHosts, log, config, hostKey);
                }
                stop(process, false);
                String text = Files.readString(log, StandardCharsets.UTF_8);
                failures.add("port " + port + ": " + text.strip());
                if (!isBindFailure(text)) {
                    break;
                }
            }
            throw new IllegalStateException("sshd did not start (" + SSHD + ", folder " + root + "):\n"
                    + String.join("\n", failures));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start sshd in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting sshd", e);
        }
    }

    /** The port sshd listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port);
    }

    /** The user to log in as: the user running the tests. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The private key file sshd accepts for {@link #user()}; not encrypted. */
    public Path userKey() {
        return userKey;
    }

    /** A known_hosts file with the line {@code [127.0.0.1]:port <host key>}. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** The server's host key. */
    public HostKey hostKey() {
        return hostKey;
    }

    /** The folder with the keys, config and log. */
    public Path dir() {
        return dir;
    }

    /** What sshd wrote to stderr so far. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Adds a public key to the authorized_keys sshd reads for every login, such as an encrypted
     * key made by a test.
     *
     * @param publicKeyFile a {@code .pub} file
     */
    public void authorize(Path publicKeyFile) {
        try {
            Files.writeString(dir.resolve("authorized_keys"), Files.readString(publicKeyFile, StandardCharsets.US_ASCII),
                    StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot authorize " + publicKeyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops (SIGSTOP) the processes sshd forked for the connections open now, and leaves the
     * listener running: their TCP connections stay up but nothing answers, as with a hung server
     * or a network that silently drops packets. For keepalive tests; {@link #close()} ends them.
     *
     * @return how many processes were stopped
     */
    public int freezeConnections() {
        int stopped = 0;
        for (ProcessHandle child : process.toHandle().descendants().toList()) {
            if (signal(child, "STOP")) {
                stopped++;
            }
        }
        if (stopped > 0) {
            frozen = true;
        }
        return stopped;
    }

    /**
     * Continues (SIGCONT) the processes {@link #freezeConnections} stopped: their connections go on
     * where they were, as a server does after a stall.
     */
    public void thawConnections() {
        for (ProcessHandle child : process.toHandle().descendants().toList()) {
            signal(child, "CONT");
        }
    }

    /** Sends {@code kill -NAME}; false when the process ended on its own meanwhile, such as a probe's short-lived child. */
    private static boolean signal(ProcessHandle handle, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(handle.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() == 0) {
                return true;
            }
            if (isRunning(handle)) {
                throw new IllegalStateException("kill -" + name + " " + handle.pid() + " failed: " + output.strip());
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signalling sshd's children", e);
        }
    }

    /**
     * Whether sshd serves a connection now: a live process it forked for one. A connection's
     * processes end soon after the client closes it, so wait for this to turn false.
     */
    public boolean hasConnections() {
        return process.toHandle().descendants().anyMatch(OpenSshServer::isRunning);
    }

    /** The pid of the listening sshd. */
    public long pid() {
        return process.pid();
    }

    /**
     * Kills the listening sshd and every process it forked for a connection with SIGKILL, as a
     * crashed or unplugged server would go: connections break without a goodbye.
     */
    public void kill() {
        if (closed.compareAndSet(false, true)) {
            stop(process, true);
        }
    }

    /**
     * Starts this server again, after {@link #kill()} or {@link #close()}: same port, keys and
     * configuration, as a rebooted server comes back. Returns once it accepts connections.
     *
     * @throws IllegalStateException when this one still runs, or the new one does not come up
     */
    public OpenSshServer restart() {
        if (!closed.get()) {
            throw new IllegalStateException(this + " still runs: kill or close it first");
        }
        try {
            Process again = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            if (!awaitListening(again, port)) {
                stop(again, false);
                throw new IllegalStateException("sshd did not start again on port " + port + ":\n" + log());
            }
            return new OpenSshServer(again, port, dir, userKey, knownHosts, logFile, config, hostKey);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start sshd again on port " + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting sshd again", e);
        }
    }

    /** Stops sshd and the processes it forked for connections. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(process, frozen); // a stopped process only dies of SIGKILL
        }
    }

    @Override
    public String toString() {
        return "sshd pid " + process.pid() + " on 127.0.0.1:" + port;
    }

    private static Path keyPair(Path privateKey) throws IOException, InterruptedException {
        if (Files.exists(privateKey) && Files.exists(pub(privateKey))) {
            return privateKey;
        }
        Files.deleteIfExists(privateKey);
        Files.deleteIfExists(pub(privateKey));
        Process keygen = new ProcessBuilder(SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "caret-test",
                "-f", privateKey.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
            keygen.destroyForcibly();
            throw new IOException("ssh-keygen failed for " + privateKey + ": " + output.strip());
        }
        return privateKey;
    }

    private static Path pub(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    private static HostKey parsePublicKey(String line) {
        String[] fields = line.strip().split("\\s+");
        if (fields.length < 2) {
            throw new IllegalArgumentException("Not a public key line: " + line);
        }
        return new HostKey(fields[0], Base64.getDecoder().decode(fields[1]));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** Polls until the port accepts a connection; false as soon as sshd exits or the deadline passes. */
    private static boolean awaitListening(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException notYet) {
                // Not listening yet: wait a little for sshd to exit or bind, then probe again.
                if (process.waitFor(25, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            }
        }
        return false;
    }

    private static boolean isBindFailure(String log) {
        return log.contains("Address already in use") || log.contains("Cannot bind any address");
    }

    /** Stops the listener and its per-connection children: SIGTERM (or SIGKILL), then waits. */
    private static void stop(Process process, boolean kill) {
        List<ProcessHandle> children = process.toHandle().descendants().toList();
        signal(process.toHandle(), kill);
        for (ProcessHandle child : children) {
            signal(child, kill);
        }
        // A connection may have forked between the snapshot and the signal: catch it too.
        process.toHandle().descendants().forEach(child -> signal(child, true));
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            // Not children of ours: ProcessHandle.onExit polls them slowly, so poll here.
            for (ProcessHandle child : children) {
                while (isRunning(child)) {
                    if (System.nanoTime() > deadline) {
                        child.destroyForcibly();
                        deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Alive and not a zombie: a killed grandchild stays a zombie until init reaps it. */
    private static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            return handle.isAlive(); // no /proc entry: gone, or not Linux
        }
    }

    private static void signal(ProcessHandle handle, boolean kill) {
        if (kill) {
            handle.destroyForcibly();
        } else {
            handle.destroy();
        }
    }
}
