package caret.launcher.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The allowed word a mistyped one most likely meant: OpenSSH's ssh_config name for the same setting
 * ({@code HostName}, {@code IdentityFile}), a different case, a longer or shorter form
 * ({@code hostname} for {@code host}), or a small typo.
 */
final class DidYouMean {

    /** ssh_config keywords and other likely words, lower case, to the name Caret uses. */
    private static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry("hostname", "host"),
            Map.entry("identityfile", "identities"),
            Map.entry("identity", "identities"),
            Map.entry("userknownhostsfile", "knownHosts"),
            Map.entry("knownhostsfile", "knownHosts"),
            Map.entry("stricthostkeychecking", "hostKeyPolicy"),
            Map.entry("serveraliveinterval", "keepaliveInterval"),
            Map.entry("serveralivecountmax", "keepaliveCountMax"),
            Map.entry("timeout", "connectTimeout"),
            Map.entry("jumphost", "proxyJump"),
            Map.entry("localforward", "forwards"),
            Map.entry("remoteforward", "forwards"),
            Map.entry("dynamicforward", "forwards"),
            Map.entry("type", "kind"),
            Map.entry("password", "options"),
            Map.entry("user", "options"),
            Map.entry("username", "user"));

    private DidYouMean() {
    }

    /** The closest of {@code allowed} to {@code given}, if one is close enough to suggest. */
    static Optional<String> closest(String given, Collection<String> allowed) {
        String lower = given.toLowerCase(Locale.ROOT);
        String known = KNOWN.get(lower);
        if (known != null && allowed.contains(known)) {
            return Optional.of(known);
        }
        Optional<String> sameWord = allowed.stream()
                .filter(name -> Math.min(name.length(), given.length()) >= 3)
                .filter(name -> name.toLowerCase(Locale.ROOT).contains(lower) || lower.contains(name.toLowerCase(Locale.ROOT)))
                .min(Comparator.comparingInt(name -> Math.abs(name.length() - given.length())));
        if (sameWord.isPresent()) {
            return sameWord;
        }
        int tolerance = Math.max(1, given.length() / 3);
        return allowed.stream()
                .filter(name -> distance(lower, name.toLowerCase(Locale.ROOT)) <= tolerance)
                .min(Comparator.comparingInt(name -> distance(lower, name.toLowerCase(Locale.ROOT))));
    }

    /** Edits from one to the other: insert, delete, replace, or swap two neighbours ({@code lcoal}, {@code local}). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
