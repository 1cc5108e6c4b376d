package caret.plugin.dynamic;

import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import caret.spi.RunningForward;
import caret.spi.SpecSyntax;
import java.util.List;

/**
 * Dynamic forwards, as OpenSSH's {@code -D [bind_address:]port}: a SOCKS 4, 4a and 5 proxy on this
 * machine; each connection it accepts goes through the SSH server to the address the client asks
 * for. Host names are resolved by the server, never here.
 */
public final class DynamicForwardType implements ForwardType {

    private static final String KIND = "dynamic forward";
    private static final String USAGE = "[bind_address:]port";
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
     * Listens where the spec says and serves SOCKS clients there until the engine stops it. The
     * engine warns when the address is reachable from other machines.
     */
    @Override
    public RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException {
        Endpoint bound = context.serve(spec.bindAddress(), spec.port(),
                new SocksConnectionHandler(context, SocksConnectionHandler.HANDSHAKE_TIMEOUT));
        return RunningForward.onThisMachine(bound);
    }

    private InvalidSpecException invalid(String text, String problem) {
        return new InvalidSpecException(KIND, text, problem, USAGE);
    }
}
