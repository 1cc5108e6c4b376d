package caret.launcher.sshconfig;

import java.util.Locale;

/**
 * OpenSSH's patterns (match.c): {@code *} matches any run of characters, {@code ?} any one
 * character, everything else itself. A pattern list is separated by commas and an entry starting
 * with {@code !} excludes what it matches. Text only: a name is never resolved.
 */
final class Patterns {

    private Patterns() {
    }

    /** Whether {@code pattern} matches all of {@code text}, case-sensitively, as {@code match_pattern}. */
    static boolean matches(String text, String pattern) {
        int t = 0;
        int p = 0;
        int starP = -1;
        int starT = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                t++;
                p++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = p++;
                starT = t;
            } else if (starP >= 0) {
                p = starP + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /**
     * Matches a comma-separated list, as {@code match_pattern_list}: false as soon as a negated
     * entry matches, else true when a plain entry matches.
     *
     * @param ignoreCase compare in lower case, as for host names ({@code match_hostname})
     */
    static boolean matchesList(String text, String list, boolean ignoreCase) {
        String subject = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
        boolean positive = false;
        for (String entry : list.split(",", -1)) {
            boolean negated = entry.startsWith("!");
            String pattern = negated ? entry.substring(1) : entry;
            if (ignoreCase) {
                pattern = pattern.toLowerCase(Locale.ROOT);
            }
            if (matches(subject, pattern)) {
                if (negated) {
                    return false;
                }
                positive = true;
            }
        }
        return positive;
    }
}
