package caret.plugin.dynamic;

import caret.spi.ChannelOpenException;
import java.util.Objects;

/** The reply codes of a SOCKS 4 and 4a server that does not use identd. */
enum Socks4Reply {
    GRANTED(0x5A),
    REJECTED_OR_FAILED(0x5B);

    private final int code;

    Socks4Reply(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** SOCKS 4 has one code for every failure. */
    static Socks4Reply forFailure(ChannelOpenException.Reason reason) {
        Objects.requireNonNull(reason, "reason");
        return REJECTED_OR_FAILED;
    }

    /**
     * The reply's bytes: a zero version byte, the code, then the port and IPv4 address of the
     * request, echoed.
     *
     * @param portAndAddress the request's two port bytes and four address bytes
     */
    byte[] bytes(byte[] portAndAddress) {
        byte[] reply = new byte[8];
        reply[1] = (byte) code;
        System.arraycopy(portAndAddress, 0, reply, 2, 6);
        return reply;
    }
}
