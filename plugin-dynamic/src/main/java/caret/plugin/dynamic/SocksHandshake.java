package caret.plugin.dynamic;

import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The server side of one SOCKS 4, 4a or 5 handshake (CONNECT only): reads the client's request with
 * {@link #readRequest()}, then answers once with {@link #replySuccess()} or {@link #replyFailure}. A
 * host name is kept as text, never resolved here: the SSH server resolves it.
 *
 * <p>Without credentials a SOCKS5 client is taken with "no authentication" (0x00). With credentials
 * it must choose username/password (0x02) and pass the RFC 1929 sub-negotiation; SOCKS 4 and 4a,
 * which cannot carry a password, are refused.
 *
 * <p>A request that is malformed, incomplete or too slow ends in a {@link SocksHandshakeException};
 * when the protocol has an answer for the problem (no acceptable method, a command or address type
 * that is not supported) that answer is sent first. Either way the caller only closes the socket.
 */
final class SocksHandshake {

    /** The longest user id or host name accepted. */
    static final int MAX_NAME = 255;

    private static final int METHOD_NO_AUTHENTICATION = 0x00;
    private static final int METHOD_USERNAME_PASSWORD = 0x02;
    private static final int NO_ACCEPTABLE_METHOD = 0xFF;
    /** RFC 1929: the version of the username/password sub-negotiation, and its status replies. */
    private static final int AUTH_VERSION = 0x01;
    private static final byte[] AUTH_SUCCESS = {AUTH_VERSION, 0x00};
    private static final byte[] AUTH_FAILURE = {AUTH_VERSION, 0x01};
    private static final String AUTH = "SOCKS5 username/password authentication";
    private static final int COMMAND_CONNECT = 0x01;
    private static final int ATYP_IPV4 = 0x01;
    private static final int ATYP_DOMAIN_NAME = 0x03;
    private static final int ATYP_IPV6 = 0x04;

    private final Socket socket;
    private final HandshakeReader in;
    private final OutputStream out;
    private final Optional<SocksCredentials> credentials;
    private SocksVersion version;
    /** A SOCKS 4 request's port and address bytes, echoed in the reply. */
    private final byte[] socks4PortAndAddress = new byte[6];
    private boolean replied;

    /**
     * @param timeout how long the client has for its whole handshake, authentication included, from now
     * @param credentials the username and password a client must give; empty to take any client
     */
    SocksHandshake(Socket socket, Duration timeout, Optional<SocksCredentials> credentials) throws IOException {
        this.socket = socket;
        this.in = new HandshakeReader(socket, timeout);
        this.out = socket.getOutputStream();
        this.credentials = credentials;
    }

    /**
     * Reads the client's greeting and request, answering the SOCKS 5 method negotiation and
     * authentication on the way.
     *
     * @throws SocksHandshakeException when the client did not send a valid CONNECT request in time,
     *     or did not authenticate
     * @throws IOException when the socket failed
     */
    SocksRequest readRequest() throws IOException {
        int first = in.readByte("SOCKS version");
        return switch (first) {
            case 5 -> readSocks5();
            case 4 -> readSocks4();
            default -> {
                if (first >= 'A' && first <= 'Z') {
                    explainToHttpClient();
                }
                throw new SocksHandshakeException(notSocks(first));
            }
        };
    }

    /**
     * A browser or curl pointed at the proxy as if it were a web server or an HTTP proxy gets a page
     * that says what this port is and how to use it, rather than a connection closed without a word.
     */
    private void explainToHttpClient() {
        String address = IpLiteral.of(socket.getLocalAddress()) + ":" + socket.getLocalPort();
        String body = "This is a SOCKS proxy (a Caret dynamic forward), not a web server or an HTTP proxy.\n"
                + "Set " + address + " as a SOCKS5 proxy in your application, e.g. curl --proxy socks5h://" + address + " URL\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
        } catch (IOException gone) {
            // the client left: the log line says what happened
        }
    }

    /** Tells the client its connection is open. */
    void replySuccess() throws IOException {
        send(switch (requireVersion()) {
            case SOCKS5 -> Socks5Reply.SUCCEEDED.bytes();
            case SOCKS4, SOCKS4A -> Socks4Reply.GRANTED.bytes(socks4PortAndAddress);
        });
    }

    /**
     * Tells the client its connection failed.
     *
     * @param reason why the server did not open the channel, or {@code null} for any other failure
     *     (the SSH connection broke)
     */
    void replyFailure(ChannelOpenException.Reason reason) throws IOException {
        send(switch (requireVersion()) {
            case SOCKS5 -> (reason == null ? Socks5Reply.GENERAL_FAILURE : Socks5Reply.forFailure(reason)).bytes();
            case SOCKS4, SOCKS4A -> Socks4Reply.REJECTED_OR_FAILED.bytes(socks4PortAndAddress);
        });
    }

    private SocksRequest readSocks5() throws IOException {
        version = SocksVersion.SOCKS5;
        int methodCount = in.readByte("SOCKS5 greeting");
        byte[] methods = new byte[methodCount];
        in.readFully(methods, "SOCKS5 greeting");
        int method = credentials.isPresent() ? METHOD_USERNAME_PASSWORD : METHOD_NO_AUTHENTICATION;
        boolean offered = false;
        for (byte m : methods) {
            offered |= m == method;
        }
        if (!offered) {
            send(new byte[] {5, (byte) NO_ACCEPTABLE_METHOD});
            throw new SocksHandshakeException("SOCKS5 client offers no acceptable authentication method ("
                    + (methodCount == 0 ? "none" : hex(methods)) + "): " + (credentials.isPresent()
                            ? "this proxy requires a username and password (0x02); give them to the client,"
                                    + " as in socks5h://USER:PASSWORD@HOST:PORT"
                            : "this proxy takes only 'no authentication' (0x00)")
                    + "; replied 05 FF");
        }
        send(new byte[] {5, (byte) method});
        if (credentials.isPresent()) {
            authenticate(credentials.get());
        }

        int requestVersion = in.readByte("SOCKS5 request");
        if (requestVersion != 5) {
            throw new SocksHandshakeException("SOCKS5 request has version " + hex(requestVersion) + ", not 0x05");
        }
        int command = in.readByte("SOCKS5 request");
        in.readByte("SOCKS5 request"); // reserved
        int addressType = in.readByte("SOCKS5 request");
        String host = switch (addressType) {
            case ATYP_IPV4 -> ipv4(in, "SOCKS5 request");
            case ATYP_IPV6 -> ipv6(in);
            case ATYP_DOMAIN_NAME -> in.readText(in.readByte("SOCKS5 request"), "SOCKS5 host name");
            default -> {
                send(Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED.bytes());
                throw new SocksHandshakeException("SOCKS5 address type " + hex(addressType)
                        + " is not supported (only 0x01 IPv4, 0x03 host name, 0x04 IPv6); replied 0x08");
            }
        };
        int port = in.readUnsignedShort("SOCKS5 request");
        if (command != COMMAND_CONNECT) {
            send(Socks5Reply.COMMAND_NOT_SUPPORTED.bytes());
            throw new SocksHandshakeException("SOCKS5 command " + command(command) + " is not supported, only CONNECT; replied 0x07");
        }
        String problem = hostNameProblem(host);
        if (problem != null) {
            send(Socks5Reply.GENERAL_FAILURE.bytes());
            throw new SocksHandshakeException("SOCKS5 " + problem + "; replied 0x01");
        }
        return new SocksRequest(version, new Endpoint(host, port), in.remaining());
    }

    /**
     * The RFC 1929 sub-negotiation: version 0x01, ULEN, UNAME, PLEN, PASSWD; answered 01 00 to go
     * on, or 01 01 before the connection is closed. Each length is one byte, so no field exceeds 255
     * bytes. The password read is wiped once compared and never appears in a message.
     */
    private void authenticate(SocksCredentials expected) throws IOException {
        int authVersion = in.readByte(AUTH);
        if (authVersion != AUTH_VERSION) {
            send(AUTH_FAILURE);
            throw new SocksHandshakeException(AUTH + " has version " + hex(authVersion)
                    + ", not 0x01 (RFC 1929); replied 01 01");
        }
        byte[] user = new byte[in.readByte(AUTH)];
        in.readFully(user, "SOCKS5 username");
        byte[] password = new byte[in.readByte(AUTH)];
        SocksCredentials.Check check;
        try {
            in.readFully(password, "SOCKS5 password");
            check = expected.check(user, password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        if (check != SocksCredentials.Check.ACCEPTED) {
            send(AUTH_FAILURE);
            throw new SocksHandshakeException("SOCKS5 authentication failed for user '" + printable(user) + "': "
                    + (check == SocksCredentials.Check.UNKNOWN_USER ? "not the proxy's SOCKS user" : "wrong password")
                    + "; replied 01 01");
        }
        send(AUTH_SUCCESS);
    }

    private SocksRequest readSocks4() throws IOException {
        version = SocksVersion.SOCKS4;
        int command = in.readByte("SOCKS4 request");
        in.readFully(socks4PortAndAddress, "SOCKS4 request");
        in.readNulTerminated(MAX_NAME, "SOCKS4 user id");
        int port = (socks4PortAndAddress[0] & 0xFF) << 8 | (socks4PortAndAddress[1] & 0xFF);
        String host;
        if (socks4PortAndAddress[2] == 0 && socks4PortAndAddress[3] == 0 && socks4PortAndAddress[4] == 0
                && socks4PortAndAddress[5] != 0) {
            version = SocksVersion.SOCKS4A;
            host = in.readNulTerminated(MAX_NAME, "SOCKS4a host name");
        } else {
            host = IpLiteral.ipv4(socks4PortAndAddress, 2);
        }
        if (credentials.isPresent()) {
            send(Socks4Reply.REJECTED_OR_FAILED.bytes(socks4PortAndAddress));
            throw new SocksHandshakeException(version + " is refused: this proxy requires a password, which " + version
                    + " cannot carry; use SOCKS5 with the username and password, as curl --proxy socks5h://USER:PASSWORD@HOST:PORT"
                    + " does; replied 0x5B");
        }
        if (command != COMMAND_CONNECT) {
            send(Socks4Reply.REJECTED_OR_FAILED.bytes(socks4PortAndAddress));
            throw new SocksHandshakeException(version + " command " + command(command) + " is not supported, only CONNECT; replied 0x5B");
        }
        String problem = hostNameProblem(host);
        if (problem != null) {
            send(Socks4Reply.REJECTED_OR_FAILED.bytes(socks4PortAndAddress));
            throw new SocksHandshakeException(version + " " + problem + "; replied 0x5B");
        }
        return new SocksRequest(version, new Endpoint(host, port), in.remaining());
    }

    /** What is wrong with a host name from the client, or {@code null}: only printable ASCII is passed on. */
    private static String hostNameProblem(String host) {
        if (host.isEmpty()) {
            return "host name is empty";
        }
        if (host.equals("[]")) { // an Endpoint takes brackets off an IPv6 literal: nothing would be left
            return "host name '[]' is empty inside its brackets";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return "host name contains byte " + hex(c) + " at position " + (i + 1) + " (only printable ASCII is allowed)";
            }
        }
        return null;
    }

    private void send(byte[] reply) throws IOException {
        out.write(reply);
        out.flush();
    }

    private SocksVersion requireVersion() {
        if (version == null || replied) {
            throw new IllegalStateException(replied ? "already replied" : "no request read");
        }
        replied = true;
        return version;
    }

    private static String notSocks(int first) {
        String guess;
        if (first == 0x16) {
            guess = ": it looks like TLS; the client must use this port as a SOCKS proxy, not connect to it directly";
        } else if (first >= 'A' && first <= 'Z') {
            guess = ": it looks like HTTP ('" + (char) first + "'); the client must use this port as a SOCKS proxy, not an HTTP proxy";
        } else {
            guess = "";
        }
        return "first byte " + hex(first) + " is not SOCKS version 4 or 5" + guess;
    }

    /**
     * A username from the client, for a log line: printable ASCII as is, every other byte (and
     * {@code \} and {@code '}) as {@code \xNN}, so no client can forge log lines.
     */
    private static String printable(byte[] name) {
        StringBuilder text = new StringBuilder(name.length);
        for (byte b : name) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
                text.append((char) c);
            } else {
                text.append(String.format("\\x%02X", c));
            }
        }
        return text.toString();
    }

    private static String command(int command) {
        return switch (command) {
            case 0x02 -> "BIND (0x02)";
            case 0x03 -> "UDP ASSOCIATE (0x03)";
            default -> hex(command);
        };
    }

    private static String ipv4(HandshakeReader in, String what) throws IOException {
        byte[] address = new byte[4];
        in.readFully(address, what);
        return IpLiteral.ipv4(address, 0);
    }

    private static String ipv6(HandshakeReader in) throws IOException {
        byte[] address = new byte[16];
        in.readFully(address, "SOCKS5 request");
        return IpLiteral.ipv6(address);
    }

    private static String hex(int value) {
        return String.format("0x%02X", value);
    }

    private static String hex(byte[] values) {
        StringBuilder text = new StringBuilder();
        for (byte value : values) {
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(hex(value & 0xFF));
        }
        return text.toString();
    }
}
