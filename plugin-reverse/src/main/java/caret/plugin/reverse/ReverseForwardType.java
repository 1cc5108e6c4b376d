package caret.plugin.reverse;

import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import caret.spi.RemoteBindException;
import caret.spi.RemoteListen;
import caret.spi.RunningForward;
import caret.spi.SpecSyntax;
import caret.spi.SshChannel;
import java.io.IOException;
import java.net.Socket;

/**
 * Reverse forwards, OpenSSH's {@code -R [bind_address:]port:host:hostport}: the server listens, on
 * its loopback unless a bind address is given; each connection it accepts is carried back and
 * connected to {@code host:hostport} as this machine sees it. Port 0 lets the server choose, and
 * the port it chose is announced.
 */
public final class ReverseForwardType implements ForwardType {

    private static final byte[] NOTHING = new byte[0];

    @Override
    public String id() {
        return "reverse";
    }

    @Override
    public String description() {
        return "Reverse forward (-R): a port on the server; each connection comes back to host:hostport on this machine";
    }

    @Override
    public String usage() {
        return "[bind_address:]port:host:hostport";
    }

    @Override
    public ForwardSpec parse(String text) throws InvalidSpecException {
        return SpecSyntax.listenAndTarget(id(), "remote forward", text, usage());
    }

    @Override
    public RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException {
        Endpoint target = spec.destination().orElseThrow();
        // As OpenSSH: no bind address asks the server for its loopback; '*' asks for every interface.
        Endpoint bind = new Endpoint(spec.bind().orElse("localhost"), spec.port());
        RemoteListen listen;
        try {
            listen = context.connection().listen(bind, (channel, originator) -> carry(channel, originator, target, context));
        } catch (RemoteBindException e) {
            throw new ForwardException(ForwardException.Reason.REMOTE_BIND_REFUSED, e.getMessage(), e);
        } catch (IOException e) {
            throw new ForwardException(ForwardException.Reason.CONNECTION_LOST,
                    "Cannot ask " + context.connection().server() + " to listen on " + bind + ": " + e.getMessage(), e);
        }
        if (spec.port() == 0) {
            context.notice("Allocated port " + listen.bound().port() + " for remote forward to " + target);
        }
        return new RunningForward(listen.bound(), true, listen::close);
    }

    private static void carry(SshChannel channel, Endpoint originator, Endpoint target, ForwardContext context) {
        Socket socket;
        try {
            socket = context.connect(target);
        } catch (IOException e) {
            channel.close();
            context.connectionFailed("connection from " + originator + " (on the server) to " + target + " failed: "
                    + e.getMessage() + "; is it running on this machine?", e);
            return;
        }
        context.pump(socket, channel, NOTHING);
    }
}
