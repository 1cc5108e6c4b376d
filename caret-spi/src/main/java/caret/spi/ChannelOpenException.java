package caret.spi;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * The server refused to open a channel ({@code SSH_MSG_CHANNEL_OPEN_FAILURE}). {@link #reason()}
 * says why, as precisely as the server's answer allows; the message keeps the server's own words.
 */
@Experimental
public class ChannelOpenException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why the server did not open the channel. */
    public enum Reason {
        /** Forwarding is forbidden for this user or destination (AllowTcpForwarding, PermitOpen). */
        PROHIBITED,
        /** Nothing listens at the destination: the connection was refused. */
        REFUSED,
        /** The server has no route to the destination's network. */
        NETWORK_UNREACHABLE,
        /** The destination host is unreachable or its name did not resolve on the server. */
        HOST_UNREACHABLE,
        /** The destination did not answer in time. */
        TIMED_OUT,
        /** The server does not know the channel type. */
        UNKNOWN_CHANNEL_TYPE,
        /** The server is short of resources. */
        RESOURCE_SHORTAGE,
        /** Any other failure to connect. */
        CONNECT_FAILED
    }

    private final Reason reason;
    private final String serverMessage;

    /**
     * @param target the destination the channel was for
     * @param reason why it failed
     * @param serverMessage the server's own description; may be empty
     */
    public ChannelOpenException(Endpoint target, Reason reason, String serverMessage) {
        super("server could not open a channel to " + target + ": "
                + (serverMessage == null || serverMessage.isBlank() ? reason.name().toLowerCase(Locale.ROOT) : serverMessage)
                + "; " + hint(reason, target));
        this.reason = Objects.requireNonNull(reason, "reason");
        this.serverMessage = serverMessage == null ? "" : serverMessage;
    }

    /** What the user can do, by reason: the server's answer alone rarely says. */
    private static String hint(Reason reason, Endpoint target) {
        return switch (reason) {
            case PROHIBITED -> "the server forbids forwarding there (AllowTcpForwarding, PermitOpen in its sshd_config): ask its admin";
            case REFUSED -> "nothing listens on " + target + " as seen from the server: start it there, or check the host and port";
            case NETWORK_UNREACHABLE, HOST_UNREACHABLE -> "the server cannot reach " + target.host()
                    + ": check the name or address as seen from the server";
            case TIMED_OUT -> target + " did not answer the server in time: is it up, or is a firewall dropping the connection?";
            case UNKNOWN_CHANNEL_TYPE -> "the server does not support TCP forwarding channels";
            case RESOURCE_SHORTAGE -> "the server is short of resources (MaxSessions, memory): try again later";
            case CONNECT_FAILED -> "check that " + target + " is reachable from the server";
        };
    }

    public Reason reason() {
        return reason;
    }

    public String serverMessage() {
        return serverMessage;
    }

    /**
     * Classifies an {@code SSH_MSG_CHANNEL_OPEN_FAILURE} from its RFC 4254 reason code and the
     * server's description. OpenSSH reports every failed connect as code 2 with {@code strerror}
     * text ("Connection refused", "No route to host"), so the text decides within code 2. Shared by
     * all transports, so that every transport reports the same reason for the same answer.
     */
    public static Reason classify(int reasonCode, String description) {
        String text = description == null ? "" : description.toLowerCase(Locale.ROOT);
        return switch (reasonCode) {
            case 1 -> Reason.PROHIBITED;
            case 3 -> Reason.UNKNOWN_CHANNEL_TYPE;
            case 4 -> Reason.RESOURCE_SHORTAGE;
            default -> {
                if (text.contains("refused")) {
                    yield Reason.REFUSED;
                } else if (text.contains("network is unreachable")) {
                    yield Reason.NETWORK_UNREACHABLE;
                } else if (text.contains("no route") || text.contains("unreachable")
                        || text.contains("name or service") || text.contains("not known")
                        || text.contains("resolve") || text.contains("unknown host")
                        || text.contains("nodename")) {
                    yield Reason.HOST_UNREACHABLE;
                } else if (text.contains("timed out") || text.contains("timeout")) {
                    yield Reason.TIMED_OUT;
                } else if (text.contains("prohibited") || text.contains("denied")) {
                    yield Reason.PROHIBITED;
                } else {
                    yield Reason.CONNECT_FAILED;
                }
            }
        };
    }
}
