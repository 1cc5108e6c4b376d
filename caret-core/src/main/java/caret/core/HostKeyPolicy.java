package caret.core;

import java.util.Locale;

/** What to do with a server whose host key is not in known_hosts: OpenSSH's StrictHostKeyChecking. */
public enum HostKeyPolicy {
    /** Refuse it; the user adds the key by hand. */
    YES,
    /** Add it to known_hosts and connect. */
    ACCEPT_NEW,
    /** Connect without adding it, with a warning each time. */
    NO,
    /** Ask on the terminal; refuse when there is none. The default, as in OpenSSH. */
    ASK;

    /**
     * Parses OpenSSH's values: {@code yes}, {@code accept-new}, {@code no} (or {@code off}),
     * {@code ask}.
     *
     * @throws IllegalArgumentException naming the value and the ones allowed
     */
    public static HostKeyPolicy parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> YES;
            case "accept-new" -> ACCEPT_NEW;
            case "no", "off" -> NO;
            case "ask" -> ASK;
            default -> throw new IllegalArgumentException("StrictHostKeyChecking '" + value
                    + "' is not one of yes, accept-new, no, ask");
        };
    }
}
