package caret.core.hostkeys;

import caret.spi.Endpoint;
import caret.spi.HostKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads, matches and appends to OpenSSH known_hosts files: host patterns with {@code *}, {@code ?}
 * and {@code !}, {@code [host]:port} for ports other than 22, hashed names ({@code |1|salt|hash}),
 * and the {@code @revoked} marker. Lines it cannot read are skipped, as OpenSSH does.
 */
public final class KnownHosts {

    private KnownHosts() {
    }

    /** How OpenSSH names a server in known_hosts: {@code host}, or {@code [host]:port} unless port 22. */
    public static String lookupName(Endpoint server) {
        String host = server.host().toLowerCase(Locale.ROOT);
        return server.port() == 22 ? host : "[" + host + "]:" + server.port();
    }

    /** Every key line of {@code files} whose host patterns match {@code server}. Missing files are skipped. */
    public static List<KnownHostsEntry> matching(List<Path> files, Endpoint server) throws IOException {
        String name = lookupName(server);
        List<KnownHostsEntry> found = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                continue;
            }
            // decoded leniently: OpenSSH reads bytes, and a stray Latin-1 comment must not hide the file
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                KnownHostsEntry entry = parse(file, i + 1, lines.get(i));
                if (entry != null && hostsMatch(entry.hosts(), name)) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    /** Appends {@code key} for {@code server} to {@code file}, creating it (and its folder, 0700) if needed. */
    public static void add(Path file, Endpoint server, HostKey key) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        String prefix = "";
        if (Files.exists(file) && Files.size(file) > 0) {
            byte[] content = Files.readAllBytes(file);
            if (content[content.length - 1] != '\n') {
                prefix = "\n";
            }
        }
        String line = prefix + lookupName(server) + " " + key.openSshText() + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The key's fingerprint as OpenSSH prints it: {@code SHA256:} and unpadded base64. */
    public static String fingerprint(HostKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.blob());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static KnownHostsEntry parse(Path file, int lineNumber, String line) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        String[] fields = text.split("\\s+");
        int i = 0;
        String marker = "";
        if (fields[0].startsWith("@")) {
            marker = fields[0];
            i = 1;
        }
        if (fields.length < i + 3) {
            return null;
        }
        try {
            byte[] blob = Base64.getDecoder().decode(fields[i + 2]);
            if (!blobHasType(blob, fields[i + 1])) {
                return null;
            }
            return new KnownHostsEntry(file, lineNumber, marker, fields[i], new HostKey(fields[i + 1], blob));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the blob is of the type the line names, as OpenSSH checks: {@code string type} first. */
    private static boolean blobHasType(byte[] blob, String type) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        return blob.length >= 4 + name.length
                && ByteBuffer.wrap(blob).getInt() == name.length
                && Arrays.equals(blob, 4, 4 + name.length, name, 0, name.length);
    }

    static boolean hostsMatch(String patterns, String name) {
        if (patterns.startsWith("|1|")) {
            return hashedMatch(patterns, name);
        }
        boolean matched = false;
        for (String pattern : patterns.split(",")) {
            boolean negated = pattern.startsWith("!");
            String p = (negated ? pattern.substring(1) : pattern).toLowerCase(Locale.ROOT);
            if (wildcardMatch(p, name)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    private static boolean hashedMatch(String hashed, String name) {
        String[] parts = hashed.split("\\|");
        if (parts.length != 4) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return MessageDigest.isEqual(expected, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    static boolean wildcardMatch(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
