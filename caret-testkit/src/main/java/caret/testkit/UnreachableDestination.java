package caret.testkit;

import caret.spi.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A destination on loopback that a server cannot reach: an iptables rule rejects TCP to
 * {@code 127.0.0.9:<port>} with an ICMP "network unreachable" or "host unreachable", so sshd's
 * connect fails as it would for a far host ("Network is unreachable", "No route to host") while no
 * packet leaves the machine. Needs root and iptables; {@link #available()} says whether both are there.
 */
public final class UnreachableDestination implements AutoCloseable {

    private static final String ADDRESS = "127.0.0.9";
    private static final String IPTABLES = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/iptables"))
            ? "/usr/sbin/iptables" : "iptables";

    private final List<String> rule;
    private final Endpoint endpoint;
    private boolean removed;

    private UnreachableDestination(List<String> rule, Endpoint endpoint) {
        this.rule = rule;
        this.endpoint = endpoint;
    }

    /** Whether this machine lets tests add iptables rules (root, iptables installed). */
    public static boolean available() {
        try {
            return run(List.of(IPTABLES, "-S", "OUTPUT")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A destination whose connect fails with "Network is unreachable". */
    public static UnreachableDestination network() {
        return reject("icmp-net-unreachable");
    }

    /** A destination whose connect fails with "No route to host". */
    public static UnreachableDestination host() {
        return reject("icmp-host-unreachable");
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public synchronized void close() {
        if (!removed) {
            removed = true;
            List<String> delete = new ArrayList<>(rule);
            delete.set(1, "-D");
            try {
                run(delete);
            } catch (IOException e) {
                throw new UncheckedIOException("could not remove the iptables rule " + rule, e);
            }
        }
    }

    private static UnreachableDestination reject(String with) {
        int port = unusedPort();
        List<String> rule = List.of(IPTABLES, "-I", "OUTPUT", "-d", ADDRESS, "-p", "tcp", "--dport", Integer.toString(port),
                "-j", "REJECT", "--reject-with", with);
        try {
            run(rule);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add an iptables rule: run the tests as root with iptables installed"
                    + " (apt-get install iptables)", e);
        }
        return new UnreachableDestination(rule, new Endpoint(ADDRESS, port));
    }

    private static int unusedPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("iptables did not finish: " + command);
            }
            if (process.exitValue() != 0 && !command.contains("-S")) {
                throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.strip());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        }
    }
}
