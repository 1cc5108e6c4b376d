package caret.launcher;

import caret.core.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OpenSSH's {@code -o Key=Value} options that Caret understands. Keys are case-insensitive; as in
 * OpenSSH, the first value given for a key wins, except IdentityFile, which adds up. An unknown key
 * is an error that lists the known ones. IdentitiesOnly is accepted and checked but changes nothing:
 * Caret uses no agent, so it always offers only the identity files.
 */
final class SshOptions {

    static final Set<String> KNOWN = Set.of("batchmode", "caretreconnect", "carettransport", "connecttimeout", "exitonforwardfailure",
            "globalknownhostsfile", "identitiesonly", "identityfile", "port", "serveralivecountmax",
            "serveraliveinterval", "stricthostkeychecking", "user", "userknownhostsfile");

    private static final List<String> NAMES = List.of("BatchMode", "CaretReconnect", "CaretTransport", "ConnectTimeout",
            "ExitOnForwardFailure", "GlobalKnownHostsFile", "IdentitiesOnly", "IdentityFile", "Port",
            "ServerAliveCountMax", "ServerAliveInterval", "StrictHostKeyChecking", "User", "UserKnownHostsFile");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> identityFiles = new ArrayList<>();

    /** @throws IllegalArgumentException naming the bad option and what is expected */
    static SshOptions parse(List<String> options) {
        SshOptions parsed = new SshOptions();
        for (String option : options) {
            String text = option.strip();
            int split = indexOfSeparator(text);
            if (split <= 0 || split == text.length() - 1) {
                throw new IllegalArgumentException("Bad option -o '" + option + "': write Key=Value, e.g. -o ServerAliveInterval=15");
            }
            String key = text.substring(0, split).strip().toLowerCase(Locale.ROOT);
            String value = text.substring(split + 1).strip();
            if (value.startsWith("=")) {
                value = value.substring(1).strip();
            }
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("Unknown option -o '" + option + "': Caret understands "
                        + String.join(", ", NAMES));
            }
            if (key.equals("identityfile")) {
                parsed.identityFiles.add(value);
            } else {
                parsed.values.putIfAbsent(key, value);
            }
        }
        parsed.validate();
        return parsed;
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key.toLowerCase(Locale.ROOT)));
    }

    List<String> identityFiles() {
        return identityFiles;
    }

    Optional<Boolean> flag(String key) {
        return get(key).map(v -> yes(key, v));
    }

    Optional<Integer> integer(String key, int min, int max) {
        return get(key).map(v -> number(key, v, min, max));
    }

    Optional<Duration> seconds(String key) {
        return integer(key, 0, 86_400).map(Duration::ofSeconds);
    }

    Optional<HostKeyPolicy> hostKeyPolicy() {
        return get("StrictHostKeyChecking").map(HostKeyPolicy::parse);
    }

    /** A value that lists several words, such as files; {@code ~} and tokens are the caller's to expand. */
    Optional<List<String>> words(String key) {
        return get(key).map(v -> List.of(v.split("\\s+")));
    }

    static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }

    private void validate() {
        for (String key : List.of("BatchMode", "CaretReconnect", "ExitOnForwardFailure", "IdentitiesOnly")) {
            flag(key);
        }
        integer("Port", 1, 65535);
        integer("ServerAliveCountMax", 1, 1000);
        seconds("ServerAliveInterval");
        integer("ConnectTimeout", 1, 86_400);
        hostKeyPolicy();
    }

    private static boolean yes(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new IllegalArgumentException("Bad option -o " + key + "=" + value + ": use yes or no");
        };
    }

    private static int number(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("Bad option -o " + key + "=" + value + ": use a whole number from " + min + " to " + max);
    }

    private static int indexOfSeparator(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' || Character.isWhitespace(c)) {
                return i;
            }
        }
        return -1;
    }
}
