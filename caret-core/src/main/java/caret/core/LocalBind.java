package caret.core;

import caret.spi.Endpoint;
import caret.spi.ForwardException;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.util.Locale;

/**
 * The bind policy for listeners on this machine: no address means loopback; {@code localhost}
 * means loopback without asking a resolver; {@code *} or an empty address means every interface.
 * Bind failures become {@link ForwardException}s that say what to do.
 */
final class LocalBind {

    private static final int BACKLOG = 1024;

    private LocalBind() {
    }

    /** Binds a listening socket; the caller owns it. */
    static ServerSocket bind(String bindAddress, int port) throws ForwardException {
        String shown = bindAddress == null ? "127.0.0.1" : bindAddress;
        InetAddress address;
        try {
            address = resolve(bindAddress);
        } catch (UnknownHostException e) {
            throw new ForwardException(ForwardException.Reason.LOCAL_BIND_FAILED,
                    "Cannot listen on " + shown + ":" + port + ": the bind address does not resolve; "
                            + "use an IP address of this machine, such as 127.0.0.1", e);
        }
        ServerSocket server = null;
        try {
            server = open(address).socket(); // accepted sockets have channels, for the pump
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(address, port), BACKLOG);
            return server;
        } catch (IOException e) {
            closeQuietly(server, e);
            throw failure(shown, port, e);
        }
    }

    /**
     * A listening channel of the address's own family: an IPv6 channel (the JDK's default) bound to
     * 0.0.0.0 would listen on every IPv6 address too.
     */
    private static ServerSocketChannel open(InetAddress address) throws IOException {
        if (address instanceof Inet4Address) {
            return ServerSocketChannel.open(StandardProtocolFamily.INET);
        }
        if (address instanceof Inet6Address) {
            return ServerSocketChannel.open(StandardProtocolFamily.INET6);
        }
        return ServerSocketChannel.open(); // the wildcard: every address, as a plain ServerSocket
    }

    /** Whether a bound address is reachable from other machines. */
    static boolean isExposed(InetAddress bound) {
        return !bound.isLoopbackAddress();
    }

    static Endpoint endpoint(ServerSocket server) {
        InetAddress address = server.getInetAddress();
        return new Endpoint(address.getHostAddress(), server.getLocalPort());
    }

    private static InetAddress resolve(String bindAddress) throws UnknownHostException {
        if (bindAddress == null || bindAddress.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (bindAddress.equals("*") || bindAddress.isEmpty()) {
            return null; // the wildcard address
        }
        try {
            return InetAddress.ofLiteral(bindAddress);
        } catch (IllegalArgumentException notALiteral) {
            return InetAddress.getByName(bindAddress);
        }
    }

    private static ForwardException failure(String address, int port, IOException e) {
        String text = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (e instanceof BindException && text.contains("in use")) {
            return new ForwardException(ForwardException.Reason.LOCAL_PORT_IN_USE,
                    "Local port " + port + " is already in use on " + address
                            + ": choose another local port or stop the program using it"
                            + " (ss -ltnp 'sport = :" + port + "' shows which)", e);
        }
        if (text.contains("permission denied")) {
            return new ForwardException(ForwardException.Reason.LOCAL_BIND_FAILED,
                    "Cannot listen on " + address + ":" + port + ": ports below 1024 need root"
                            + " or CAP_NET_BIND_SERVICE; choose a port above 1023", e);
        }
        if (text.contains("assign requested address")) {
            return new ForwardException(ForwardException.Reason.LOCAL_BIND_FAILED,
                    "Cannot listen on " + address + ":" + port + ": that address is not on this machine;"
                            + " bind 127.0.0.1 or one of this machine's addresses", e);
        }
        return new ForwardException(ForwardException.Reason.LOCAL_BIND_FAILED,
                "Cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(ServerSocket server, IOException failure) {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
