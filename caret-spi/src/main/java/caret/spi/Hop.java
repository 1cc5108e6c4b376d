package caret.spi;

import caret.spi.TransportException.Reason;
import java.util.Locale;

/**
 * One server of a connection, as failure messages name it: a server reached directly, a jump
 * host, or a server reached through a jump host. So every failure says which hop failed, in the
 * same words on every transport.
 *
 * @param server the server this hop connects to
 * @param jump the jump host this hop runs through, or null
 * @param isJumpHost whether this hop is the jump host itself
 */
@Experimental
public record Hop(Endpoint server, Endpoint jump, boolean isJumpHost) {

    public static Hop direct(Endpoint server) {
        return new Hop(server, null, false);
    }

    public static Hop jumpHost(Endpoint jump) {
        return new Hop(jump, null, true);
    }

    public static Hop through(Endpoint server, Endpoint jump) {
        return new Hop(server, jump, false);
    }

    /**
     * The server within a sentence: {@code db:22}, {@code jump host bastion:22} or
     * {@code db:22 (through jump host bastion:22)}.
     */
    public String name() {
        if (isJumpHost) {
            return "jump host " + server;
        }
        return jump == null ? server.toString() : server + " (through jump host " + jump + ")";
    }

    /** The server at the start of a sentence: {@code Server db:22}, {@code Jump host bastion:22}, ... */
    public String subject() {
        return isJumpHost ? "Jump host " + server : "Server " + name();
    }

    /** Who logs in where: {@code alice@db:22}, {@code alice@bastion:22 (jump host)}, ... */
    public String who(String user) {
        if (isJumpHost) {
            return user + "@" + server + " (jump host)";
        }
        return user + "@" + name();
    }

    /** The command line option that sets this hop's port. */
    public String portOption() {
        return isJumpHost ? "-J" : "-p";
    }

    /**
     * What the host key verifier threw, with the hop said first when it is not a direct
     * connection: the verifier names the server, but not its role.
     */
    public TransportException explain(TransportException e) {
        if (isJumpHost) {
            return new TransportException(e.reason(), "Jump host " + server + ": " + e.getMessage(), e);
        }
        if (jump != null) {
            return new TransportException(e.reason(), "Through jump host " + jump + ": " + e.getMessage(), e);
        }
        return e;
    }

    /**
     * The jump host {@code jump} did not open the channel to {@code target} that a session through
     * it runs in: forwarding forbidden there, or the target down or unreachable from it.
     */
    public static TransportException channelRefused(Endpoint jump, Endpoint target, ChannelOpenException e) {
        String what = switch (e.reason()) {
            case PROHIBITED -> "administratively prohibited";
            case REFUSED -> "connection refused";
            case NETWORK_UNREACHABLE -> "network unreachable";
            case HOST_UNREACHABLE -> "host unreachable";
            case TIMED_OUT -> "timed out";
            case UNKNOWN_CHANNEL_TYPE -> "no TCP forwarding channels there";
            case RESOURCE_SHORTAGE -> "resource shortage";
            case CONNECT_FAILED -> "connect failed";
        };
        String said = e.serverMessage();
        if (!said.isBlank() && !said.toLowerCase(Locale.ROOT).contains(what)) {
            what = what + " (" + said + ")";
        }
        String hint = switch (e.reason()) {
            case PROHIBITED, UNKNOWN_CHANNEL_TYPE -> "the jump host's sshd_config may forbid forwarding (AllowTcpForwarding,"
                    + " PermitOpen): ask its admin, or use another jump host";
            case REFUSED -> "nothing listens on " + target + " as seen from the jump host: check the target's host and"
                    + " port, and that its sshd runs";
            case NETWORK_UNREACHABLE, HOST_UNREACHABLE -> "check the target's name or address as the jump host sees it";
            case TIMED_OUT -> "check that " + target + " is up and that no firewall between it and the jump host drops"
                    + " the connection";
            case RESOURCE_SHORTAGE -> "the jump host is short of resources (MaxSessions, memory): try again later";
            case CONNECT_FAILED -> "check that " + target + " is reachable from the jump host";
        };
        return new TransportException(Reason.UNREACHABLE, "Jump host " + jump + " could not connect to " + target + ": "
                + what + "; " + hint, e);
    }

    /** The channel through {@code jump} to {@code target} failed without the jump host's answer. */
    public static TransportException channelFailed(Endpoint jump, Endpoint target, String why, Throwable cause) {
        return new TransportException(Reason.UNREACHABLE, "Jump host " + jump + " could not connect to " + target + ": "
                + why + "; check that " + target + " is reachable from the jump host", cause);
    }
}
