package caret.plugin.dynamic;

import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import caret.spi.RunningForward;
import caret.spi.SpecSyntax;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dynamic forwards, as OpenSSH's {@code -D [bind_address:]port}: a SOCKS 4, 4a and 5 proxy on this
 * machine; each connection it accepts goes through the SSH server to the address the client asks
 * for. Host names are resolved by the server, never here.
 *
 * <p>With the options {@code user} and {@code password} the proxy takes only SOCKS5 clients that
 * give them (RFC 1929 username/password authentication); SOCKS 4 and 4a are refused then.
 */
public final class DynamicForwardType implements ForwardType {

    private static final String KIND = "dynamic forward";
    private static final String USAGE = "[bind_address:]port";
    private static final String USAGE_WITH_OPTIONS = USAGE + " with the options '" + SocksCredentials.USER + "' and '"
            + SocksCredentials.PASSWORD + "', both or neither";
    /** Bind address meaning every interface, passed on as is: the engine maps it. */
    private static final String ALL_INTERFACES = "*";

    @Override
    public String id() {
        return "dynamic";
    }

    @Override
    public String description() {
        return "Dynamic forward (-D): a SOCKS 4, 4a and 5 proxy; each connection goes through the server to the address it asks for";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    /**
     * Parses {@code port} or {@code bind_address:port}; an IPv6 address stands in brackets. An empty
     * bind address or {@code *} means every interface.
     */
    @Override
    public ForwardSpec parse(String text) throws InvalidSpecException {
        List<String> fields;
        try {
            fields = SpecSyntax.fields(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
        String bind;
        String portField;
        switch (fields.size()) {
            case 1 -> {
                bind = null;
                portField = fields.getFirst();
            }
            case 2 -> {
                if (text.startsWith("[]")) {
                    throw invalid(text, "empty brackets: write '*' or leave the bind address out");
                }
                bind = fields.getFirst();
                portField = fields.get(1);
                if (bind.isEmpty()) {
                    bind = ALL_INTERFACES;
                } else if (!bind.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                    throw invalid(text, "bind address '" + bind + "' may contain only printable characters, no spaces");
                }
            }
            default -> throw invalid(text, "too many fields (" + fields.size()
                    + "): put an IPv6 bind address in brackets, as [::1]:1080");
        }
        if (portField.isEmpty()) {
            throw invalid(text, "missing port");
        }
        int port;
        try {
            port = SpecSyntax.port(portField, "port");
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
        return new ForwardSpec(id(), text, bind, port, null);
    }

    /**
     * Parses the spec as {@link #parse(String)} does, with the options {@code user} and
     * {@code password}: both or neither, each 1 to 255 bytes in UTF-8 (RFC 1929). With them, every
     * client must authenticate with SOCKS5 username/password.
     */
    @Override
    public ForwardSpec parse(String text, Map<String, String> options) throws InvalidSpecException {
        ForwardSpec spec = parse(text);
        if (options.isEmpty()) {
            return spec;
        }
        try {
            SocksCredentials.from(options);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(KIND, text, e.getMessage(), USAGE_WITH_OPTIONS);
        }
        return new ForwardSpec(id(), text, spec.bindAddress(), spec.port(), null, options);
    }

    /**
     * Listens where the spec says and serves SOCKS clients there until the engine stops it. The
     * engine warns when the address is reachable from other machines; a proxy without a password
     * there also says who can use it and how to set one.
     */
    @Override
    public RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException {
        Optional<SocksCredentials> credentials = SocksCredentials.from(spec.options());
        Endpoint bound = context.serve(spec.bindAddress(), spec.port(),
                new SocksConnectionHandler(context, SocksConnectionHandler.HANDSHAKE_TIMEOUT, credentials));
        if (credentials.isEmpty() && !isLoopback(bound)) {
            context.notice("Warning: " + context.name() + " listens on " + bound + " without a password: anyone who can reach "
                    + bound + " can use the SSH server as a proxy, to wherever the server can connect. Set a SOCKS"
                    + " username and password: --socks-user USER (the password from CARET_SOCKS_PASSWORD or the terminal),"
                    + " or \"user\" and \"password\" in the forward's \"options\" in a config file; or bind 127.0.0.1.");
        }
        return RunningForward.onThisMachine(bound);
    }

    /** Whether a bound address is loopback; an address that does not read as an IP literal counts as wider. */
    private static boolean isLoopback(Endpoint bound) {
        try {
            return InetAddress.ofLiteral(bound.host()).isLoopbackAddress();
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }

    private InvalidSpecException invalid(String text, String problem) {
        return new InvalidSpecException(KIND, text, problem, USAGE);
    }
}
