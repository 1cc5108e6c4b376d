package caret.plugin.dynamic;

/** The reply codes of a SOCKS 4 and 4a server that does not use identd: SOCKS 4 has one code for every failure. */
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
