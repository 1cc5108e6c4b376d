package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import caret.testkit.EchoServer;
import caret.testkit.OpenSshServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's local forward against OpenSSH's {@code ssh -N -L}, on the same machine, each
 * through an sshd of its own that offers one cipher: one bulk stream each way (MB/s, CPU seconds
 * per GiB of the client process and of the sshd serving it) and new-connection latency (connect,
 * 1-byte echo, close; p50 and p99). Rounds alternate which client goes first, and latency
 * connections alternate client by client; the table shows medians over the rounds and the ratio
 * caret / ssh. A manual measurement, not an assertion (only the byte counts are checked): run with
 *
 * <pre>
 * mvn -B -o -pl caret-launcher -am verify -Dtest=ForwardSpeedTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -DargLine="-Dcaret.speed=true"
 * </pre>
 *
 * and read {@code caret-launcher/target/forward-speed.txt}. Properties (in {@code argLine}):
 * {@code caret.speed.ciphers} (comma-separated, default both aes128-gcm and chacha20-poly1305),
 * {@code caret.speed.transport} ({@code sshd}), {@code caret.speed.mib} (1024 per transfer),
 * {@code caret.speed.rounds} (3), {@code caret.speed.connections} (1000 per client and round),
 * {@code caret.speed.jvm} (space-separated JVM options for the launcher; by default those of the
 * {@code ./caret} script, {@value #CARET_SCRIPT_JVM}; add e.g.
 * {@code -XX:StartFlightRecording=filename=/tmp/caret.jfr} to profile), {@code caret.speed.compare}
 * (comma-separated {@code name=folder}: other builds' {@code caret-launcher/target/mods} folders, run
 * alongside this build as more clients, each through its own sshd, for before/after figures on a
 * shared, noisy machine).
 */
@EnabledIfSystemProperty(named = "caret.speed", matches = "true")
@Timeout(value = 2, unit = TimeUnit.HOURS)
class ForwardSpeedTest {

    private static final double GIB = 1024.0 * 1024 * 1024;
    /** The heap settings of the {@code ./caret} script, which users run. */
    private static final String CARET_SCRIPT_JVM = "-XX:+UseSerialGC -Xms32m -Xmn24m -XX:-ShrinkHeapInSteps";

    @TempDir
    Path dir;

    @Test
    void measuresTheLocalForwardAgainstOpenSsh() throws Exception {
        List<String> ciphers = List.of(System.getProperty("caret.speed.ciphers",
                "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com").split(","));
        String transport = System.getProperty("caret.speed.transport", "sshd");
        long total = Long.getLong("caret.speed.mib", 1024) * 1024 * 1024;
        int rounds = Integer.getInteger("caret.speed.rounds", 3);
        int connections = Integer.getInteger("caret.speed.connections", 1000);
        String jvm = System.getProperty("caret.speed.jvm", CARET_SCRIPT_JVM).strip();
        List<String> jvmOptions = jvm.isEmpty() ? List.of() : List.of(jvm.split("\\s+"));
        line("forward speed " + Instant.now() + ": caret --transport " + transport + " vs " + sshVersion() + ", "
                + (total >> 20) + " MiB per transfer, " + rounds + " rounds, " + connections
                + " connections per client and round, " + Runtime.getRuntime().availableProcessors() + " CPUs"
                + (jvmOptions.isEmpty() ? "" : ", launcher JVM options " + jvmOptions));
        for (String cipher : ciphers) {
            measure(cipher.strip(), transport, total, rounds, connections, jvmOptions);
        }
    }

    private void measure(String cipher, String transport, long total, int rounds, int connections,
            List<String> jvmOptions) throws Exception {
        Path keys = dir.resolve("keys");
        String ciphers = "Ciphers " + cipher;
        List<AutoCloseable> resources = new ArrayList<>();
        try (BulkServer bulk = new BulkServer(); EchoServer echo = EchoServer.start()) {
            List<ForwardProcess> clients = new ArrayList<>();
            OpenSshServer own = OpenSshServer.start(keys, ciphers);
            resources.add(own);
            clients.add(ForwardProcess.caret("caret", null, transport, own, bulk.port(), echo.port(), jvmOptions,
                    dir.resolve("caret-" + cipher + ".log")));
            resources.add(clients.getLast());
            for (String compare : compared()) {
                String[] nameAndFolder = compare.split("=", 2);
                OpenSshServer server = OpenSshServer.start(keys, ciphers);
                resources.add(server);
                clients.add(ForwardProcess.caret(nameAndFolder[0], Path.of(nameAndFolder[1]), transport, server,
                        bulk.port(), echo.port(), jvmOptions, dir.resolve(nameAndFolder[0] + "-" + cipher + ".log")));
                resources.add(clients.getLast());
            }
            OpenSshServer sshServer = OpenSshServer.start(keys, ciphers);
            resources.add(sshServer);
            clients.add(ForwardProcess.ssh(sshServer, bulk.port(), echo.port(), dir.resolve("ssh-" + cipher + ".log")));
            resources.add(clients.getLast());
            measure(cipher, clients, total, rounds, connections);
        } finally {
            for (AutoCloseable resource : resources.reversed()) {
                resource.close();
            }
        }
    }

    /** {@code name=folder} pairs from {@code caret.speed.compare}: other builds to measure alongside. */
    private static List<String> compared() {
        String compare = System.getProperty("caret.speed.compare", "").strip();
        return compare.isEmpty() ? List.of() : List.of(compare.split(","));
    }

    private void measure(String cipher, List<ForwardProcess> clients, long total, int rounds, int connections)
            throws Exception {
        int n = clients.size();
        for (ForwardProcess client : clients) { // warm-up: the JIT, the connections' buffers
            transfer(client, true, Math.min(total, 256L << 20));
            transfer(client, false, Math.min(total, 256L << 20));
            latencies(List.of(client), 200);
        }
        List<List<Transfer>> ups = new ArrayList<>();
        List<List<Transfer>> downs = new ArrayList<>();
        List<List<double[]>> latency = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ups.add(new ArrayList<>());
            downs.add(new ArrayList<>());
            latency.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add((i + round) % n); // each client goes first in turn
            }
            for (int i : order) {
                ups.get(i).add(transfer(clients.get(i), true, total));
            }
            for (int i : order) {
                downs.get(i).add(transfer(clients.get(i), false, total));
            }
            List<long[]> samples = latencies(order.stream().map(clients::get).toList(), connections);
            for (int k = 0; k < n; k++) {
                latency.get(order.get(k)).add(percentiles(samples.get(k)));
            }
            StringBuilder line = new StringBuilder(String.format("  round %d %s", round, cipher));
            for (int i = 0; i < n; i++) {
                line.append(String.format(" | %s up %.0f down %.0f MB/s p50 %.3f p99 %.3f ms", clients.get(i).name(),
                        ups.get(i).getLast().mbps(), downs.get(i).getLast().mbps(), latency.get(i).getLast()[0],
                        latency.get(i).getLast()[1]));
            }
            line(line.toString());
        }
        StringBuilder header = new StringBuilder(String.format("%s, medians of %d rounds", cipher, rounds));
        header.append(" ".repeat(Math.max(1, 40 - header.length())));
        for (ForwardProcess client : clients) {
            header.append(String.format(" %12s", client.name()));
        }
        for (int i = 0; i < n - 1; i++) {
            header.append(String.format(" %14s", clients.get(i).name() + "/ssh"));
        }
        line(header.toString());
        row("bulk up MB/s", ups, Transfer::mbps);
        row("bulk down MB/s", downs, Transfer::mbps);
        row("client CPU s/GiB up", ups, Transfer::cpuPerGib);
        row("client CPU s/GiB down", downs, Transfer::cpuPerGib);
        row("sshd CPU s/GiB up", ups, Transfer::serverCpuPerGib);
        row("sshd CPU s/GiB down", downs, Transfer::serverCpuPerGib);
        row("latency p50 ms", latency, p -> p[0]);
        row("latency p99 ms", latency, p -> p[1]);
    }

    /** What one transfer of one client took. */
    private record Transfer(double mbps, double cpuPerGib, double serverCpuPerGib) {
    }

    private static Transfer transfer(ForwardProcess client, boolean up, long total) throws IOException {
        Duration cpu = client.cpu();
        Duration serverCpu = client.serverCpu();
        long start = System.nanoTime();
        try (Socket socket = connect(client.bulkPort())) {
            long moved = up ? BulkServer.upload(socket, total) : BulkServer.download(socket, total);
            assertEquals(total, moved, client + (up ? " upload" : " download"));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double gib = total / GIB;
        return new Transfer(total / 1e6 / seconds, seconds(client.cpu().minus(cpu)) / gib,
                seconds(client.serverCpu().minus(serverCpu)) / gib);
    }

    /** Nanoseconds of each connect + 1-byte echo + close, {@code count} per client, alternating client by client. */
    private static List<long[]> latencies(List<ForwardProcess> clients, int count) throws IOException {
        List<long[]> samples = new ArrayList<>();
        for (int k = 0; k < clients.size(); k++) {
            samples.add(new long[count]);
        }
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < clients.size(); k++) {
                samples.get(k)[i] = echoOnce(clients.get(k).echoPort());
            }
        }
        return samples;
    }

    private static long echoOnce(int port) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            assertEquals(42, socket.getInputStream().read(), "the echo through port " + port);
        }
        return System.nanoTime() - start;
    }

    /** {p50, p99} in milliseconds. */
    private static double[] percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[(int) (sorted.length * 0.50)] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6};
    }

    /** Medians of each client (the last is ssh), then each one's ratio to ssh's. */
    private <T> void row(String what, List<List<T>> values, ToDoubleFunction<T> metric) throws IOException {
        double[] medians = values.stream().mapToDouble(v -> median(v, metric)).toArray();
        StringBuilder line = new StringBuilder(String.format("  %-38s", what));
        for (double median : medians) {
            line.append(String.format(" %12.3f", median));
        }
        for (int i = 0; i < medians.length - 1; i++) {
            line.append(String.format(" %13.2fx", medians[i] / medians[medians.length - 1]));
        }
        line(line.toString());
    }

    private static <T> double median(List<T> values, ToDoubleFunction<T> metric) {
        double[] sorted = values.stream().mapToDouble(metric).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private void line(String text) throws IOException {
        System.out.println(text);
        Files.writeString(Path.of("target", "forward-speed.txt"), text + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        socket.setSoTimeout(120_000);
        return socket;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String sshVersion() throws IOException, InterruptedException {
        Process version = new ProcessBuilder("ssh", "-V").redirectErrorStream(true).start();
        String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        version.waitFor();
        return text;
    }
}
