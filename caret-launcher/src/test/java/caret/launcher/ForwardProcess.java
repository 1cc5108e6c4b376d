package caret.launcher;

import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A forwarding client running as a process of its own, with two local forwards through its own
 * sshd: one to a {@link BulkServer}, one to an echo server. Either the real launcher or OpenSSH's
 * {@code ssh -N -L}. Knows its CPU time and that of the sshd processes serving it (Linux /proc).
 */
final class ForwardProcess implements AutoCloseable {

    private static final long TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

    private final String name;
    private final Process process;
    private final OpenSshServer sshd;
    private final int bulkPort;
    private final int echoPort;

    private ForwardProcess(String name, Process process, OpenSshServer sshd, int bulkPort, int echoPort) {
        this.name = name;
        this.process = process;
        this.sshd = sshd;
        this.bulkPort = bulkPort;
        this.echoPort = echoPort;
    }

    /**
     * The launcher with {@code --transport transport}, {@code jvmOptions} before its module path
     * (such as {@code -XX:StartFlightRecording=...}); its stderr goes to {@code log}. With a
     * {@code modules} folder (another build's {@code caret-launcher/target/mods}), that build runs
     * instead of this one, named {@code name}.
     */
    static ForwardProcess caret(String name, Path modules, String transport, OpenSshServer sshd, int bulk, int echo,
            List<String> jvmOptions, Path log) throws IOException {
        List<String> args = List.of("--transport", transport, "-N", "-p", Integer.toString(sshd.port()),
                "-i", sshd.userKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "-o", "StrictHostKeyChecking=yes", "-L", "0:127.0.0.1:" + bulk, "-L", "0:127.0.0.1:" + echo,
                sshd.user() + "@127.0.0.1");
        ProcessBuilder builder = LauncherProcess.command(args).redirectError(log.toFile());
        List<String> command = builder.command();
        if (modules != null) {
            command.set(command.indexOf("-p") + 1, modules.toAbsolutePath().toString());
        }
        command.addAll(1, jvmOptions);
        Process process = builder.start();
        try {
            Map<String, Integer> ports = LauncherProcess.readyPorts(process, 2, log);
            return new ForwardProcess(name, process, sshd, ports.get("local 0:127.0.0.1:" + bulk),
                    ports.get("local 0:127.0.0.1:" + echo));
        } catch (IOException | RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** OpenSSH's client, {@code ssh -N -L}, with the fixture's key and known_hosts and no user config. */
    static ForwardProcess ssh(OpenSshServer sshd, int bulk, int echo, Path log) throws IOException {
        int bulkPort = freePort();
        int echoPort = freePort();
        List<String> command = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-N", "-p", Integer.toString(sshd.port()),
                "-i", sshd.userKey().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "ExitOnForwardFailure=yes",
                "-L", "127.0.0.1:" + bulkPort + ":127.0.0.1:" + bulk, "-L", "127.0.0.1:" + echoPort + ":127.0.0.1:" + echo,
                sshd.user() + "@127.0.0.1"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ForwardProcess ssh = new ForwardProcess("ssh", process, sshd, bulkPort, echoPort);
        try {
            Await.until("ssh -L forwards " + echoPort + " (log " + log + ")", Duration.ofSeconds(20), ssh::echoes);
            return ssh;
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw new AssertionError(e.getMessage() + ": " + Files.readString(log), e);
        }
    }

    String name() {
        return name;
    }

    int bulkPort() {
        return bulkPort;
    }

    int echoPort() {
        return echoPort;
    }

    /** CPU time (user + system) of the forwarding process so far. */
    Duration cpu() {
        return Duration.ofMillis(ticks(process.pid()) * 1000 / TICKS_PER_SECOND);
    }

    /** CPU time of the sshd processes that serve this client's connection (sshd's children), so far. */
    Duration serverCpu() {
        long ticks = ProcessHandle.of(sshd.pid()).orElseThrow().descendants()
                .mapToLong(p -> ticks(p.pid())).sum();
        return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
    }

    private boolean echoes() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), echoPort), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(1);
            return socket.getInputStream().read() == 1;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** utime + stime of every thread of {@code pid}, in clock ticks; 0 once it is gone. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while stopping " + name));
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
