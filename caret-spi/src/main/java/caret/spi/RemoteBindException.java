package caret.spi;

import java.io.IOException;

/**
 * The server refused to listen where we asked ({@code tcpip-forward} failed). Servers give no
 * reason; the message lists the usual ones and what to do.
 */
@Experimental
public class RemoteBindException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Endpoint bind;

    public RemoteBindException(Endpoint server, Endpoint bind) {
        super("server " + server + " refused to listen on " + bind
                + ": the port may be in use there, below 1024, or forbidden by sshd_config "
                + "(AllowTcpForwarding, GatewayPorts, PermitListen); choose another port, bind localhost, or ask its admin");
        this.bind = bind;
    }

    /** The address the server refused to listen on. */
    public Endpoint bind() {
        return bind;
    }
}
