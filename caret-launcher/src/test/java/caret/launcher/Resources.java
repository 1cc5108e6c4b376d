package caret.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What this test JVM holds: open file descriptors ({@code /proc/self/fd}), threads, platform and
 * virtual (from the JDK's JSON thread dump, which lists virtual threads too), and the heap in use
 * after a full collection. For leak checks: the same figures before and after a load.
 */
record Resources(long descriptors, long threads, long heapBytes) {

    private static final Pattern THREAD = Pattern.compile("\"tid\"\\s*:");

    /** The figures now, after full collections (so that closed sockets' descriptors are freed too). */
    static Resources settled() {
        long heap = liveHeap();
        return new Resources(countDescriptors(), countThreads(), heap);
    }

    /** The heap in use after full collections. */
    static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long countDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long countThreads() {
        try {
            Path dump = Files.createTempFile("caret-threads-", ".json");
            Files.delete(dump); // jcmd refuses to overwrite
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                    "Thread.dump_to_file", "-format=json", dump.toString()).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            if (process.waitFor() != 0 || !Files.exists(dump)) {
                throw new IllegalStateException("jcmd Thread.dump_to_file failed");
            }
            try {
                Matcher m = THREAD.matcher(Files.readString(dump));
                long count = 0;
                while (m.find()) {
                    count++;
                }
                return count;
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return descriptors + " fds, " + threads + " threads, " + (heapBytes >> 20) + " MiB live heap";
    }
}
