package caret.plugin.local;

import caret.spi.ConnectionHandler;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import caret.spi.RunningForward;
import caret.spi.SpecSyntax;
import java.net.Socket;

/**
 * Local forwards, OpenSSH's {@code -L [bind_address:]port:host:hostport}: a port on this machine,
 * loopback unless a bind address is given; each connection to it is carried through the server to
 * {@code host:hostport} as the server sees it. Port 0 picks a free port (OpenSSH refuses it).
 */
public final class LocalForwardType implements ForwardType {

    private static final byte[] NOTHING = new byte[0];

    @Override
    public String id() {
        return "local";
    }

    @Override
    public String description() {
        return "Local forward (-L): a port on this machine; each connection goes through the server to host:hostport";
    }

    @Override
    public String usage() {
        return "[bind_address:]port:host:hostport";
    }

    @Override
    public ForwardSpec parse(String text) throws InvalidSpecException {
        return SpecSyntax.listenAndTarget(id(), "local forward", text, usage());
    }

    @Override
    public RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException {
        Endpoint target = spec.destination().orElseThrow();
        Endpoint bound = context.serve(spec.bindAddress(), spec.port(), new ConnectionHandler() {
            @Override
            public void handle(Socket socket) {
                carry(socket, target, context);
            }

            @Override
            public boolean blocks() {
                return false; // it asks for the channel and returns: no thread of its own per connection
            }
        });
        if (spec.port() == 0) {
            context.notice("Allocated port " + bound.port() + " for local forward to " + target);
        }
        return RunningForward.onThisMachine(bound);
    }

    /** Asks for the channel and returns: the server's answer starts the pump, or is recorded as the failure. */
    private static void carry(Socket socket, Endpoint target, ForwardContext context) {
        Endpoint origin = new Endpoint(socket.getInetAddress().getHostAddress(), socket.getPort());
        context.pumpWhenOpen(socket, context.connection().openChannelAsync(target, origin), NOTHING);
    }
}
