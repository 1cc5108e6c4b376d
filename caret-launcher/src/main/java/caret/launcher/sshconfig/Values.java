package caret.launcher.sshconfig;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the values of single-valued keywords as OpenSSH reads them: ports, yes/no flags, and
 * times ({@code convtime} in misc.c: {@code 90}, {@code 30s}, {@code 1m30s}, {@code 2h}, units
 * s, m, h, d, w). Each throws {@link IllegalArgumentException} saying what is allowed; the caller
 * names the value.
 */
final class Values {

    private static final Pattern TIME_PART = Pattern.compile("(\\d+)([sSmMhHdDwW]?)");

    private Values() {
    }

    /** A port, 1 to 65535, in decimal. */
    static int port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a port number (1 to 65535)");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1 to 65535)");
        }
        return port;
    }

    /** {@code yes}/{@code true} or {@code no}/{@code false}, in any case. */
    static boolean flag(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new IllegalArgumentException("not yes or no");
        };
    }

    /** A whole number from {@code min} to {@code max}. */
    static int number(String text, int min, int max) {
        if (!text.isEmpty() && text.length() <= 9 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        }
        throw new IllegalArgumentException("not a whole number from " + min + " to " + max);
    }

    /** A time, at most {@code max}: seconds, or parts with units like {@code 1m30s}. */
    static Duration time(String text, Duration max) {
        Matcher part = TIME_PART.matcher(text);
        long seconds = 0;
        int at = 0;
        while (at < text.length() && part.find(at) && part.start() == at) {
            long n = Long.parseLong(part.group(1).length() > 12 ? "999999999999" : part.group(1));
            seconds += n * switch (part.group(2).toLowerCase(Locale.ROOT)) {
                case "", "s" -> 1;
                case "m" -> 60;
                case "h" -> 3_600;
                case "d" -> 86_400;
                default -> 604_800;
            };
            if (seconds > max.toSeconds()) {
                throw new IllegalArgumentException("longer than " + max.toSeconds() + " seconds");
            }
            at = part.end();
            if (part.group(2).isEmpty() && at < text.length()) {
                break; // a number without a unit must come last
            }
        }
        if (at != text.length() || text.isEmpty()) {
            throw new IllegalArgumentException("not a time (seconds, or with units: 90, 30s, 1m30s, 2h)");
        }
        return Duration.ofSeconds(seconds);
    }
}
