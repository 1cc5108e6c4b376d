package caret.core.hostkeys;

import caret.spi.HostKey;
import java.nio.file.Path;

/**
 * One key line of a known_hosts file, with where it stands.
 *
 * @param file the file
 * @param line its line number, from 1
 * @param marker {@code @revoked}, {@code @cert-authority}, or empty
 * @param hosts the host patterns, comma-separated as written (may be hashed)
 * @param key the key
 */
public record KnownHostsEntry(Path file, int line, String marker, String hosts, HostKey key) {

    /** Where the line stands, as people and editors say it: {@code /root/.ssh/known_hosts:3}. */
    public String position() {
        return file + ":" + line;
    }
}
