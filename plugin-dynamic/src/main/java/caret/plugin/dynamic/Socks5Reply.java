package caret.plugin.dynamic;

import caret.spi.ChannelOpenException;

/** The reply codes of a SOCKS 5 server (RFC 1928, section 6). */
enum Socks5Reply {
    SUCCEEDED(0x00),
    GENERAL_FAILURE(0x01),
    NOT_ALLOWED_BY_RULESET(0x02),
    NETWORK_UNREACHABLE(0x03),
    HOST_UNREACHABLE(0x04),
    CONNECTION_REFUSED(0x05),
    TTL_EXPIRED(0x06),
    COMMAND_NOT_SUPPORTED(0x07),
    ADDRESS_TYPE_NOT_SUPPORTED(0x08);

    private final int code;

    Socks5Reply(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** The reply for a channel the server would not open. */
    static Socks5Reply forFailure(ChannelOpenException.Reason reason) {
        return switch (reason) {
            case PROHIBITED -> NOT_ALLOWED_BY_RULESET;
            case REFUSED -> CONNECTION_REFUSED;
            case NETWORK_UNREACHABLE -> NETWORK_UNREACHABLE;
            case HOST_UNREACHABLE -> HOST_UNREACHABLE;
            case TIMED_OUT -> TTL_EXPIRED;
            case UNKNOWN_CHANNEL_TYPE, RESOURCE_SHORTAGE, CONNECT_FAILED -> GENERAL_FAILURE;
        };
    }

    /**
     * The reply's bytes. The bound address is always 0.0.0.0:0, as OpenSSH sends: the address the
     * server connected from is not known here, and clients ignore it for CONNECT.
     */
    byte[] bytes() {
        return new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0};
    }
}
