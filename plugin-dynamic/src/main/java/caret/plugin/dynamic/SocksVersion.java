package caret.plugin.dynamic;

/** The SOCKS protocol a client spoke. */
enum SocksVersion {
    /** SOCKS 4: an IPv4 destination. */
    SOCKS4("SOCKS4"),
    /** SOCKS 4a: a host name the proxy resolves (here: the SSH server). */
    SOCKS4A("SOCKS4a"),
    /** SOCKS 5, RFC 1928: IPv4, IPv6 or a host name. */
    SOCKS5("SOCKS5");

    private final String label;

    SocksVersion(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
