package caret.launcher.ui;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a local forward could listen on an address and port of this machine now, for the Add
 * form to say while the user types. It binds and lets go at once; it never resolves a host name.
 */
final class PortCheck {

    /** {@code free}, {@code taken}, {@code invalid} or {@code unchecked} (a host name), with what to say. */
    record Answer(String state, String message) {
    }

    private PortCheck() {
    }

    static Answer check(String address, int port) {
        String where = address == null || address.isBlank() ? "127.0.0.1" : address.strip();
        if (port < 0 || port > 65535) {
            return new Answer("invalid", "A port is a number from 0 to 65535 (0: any free port)");
        }
        InetAddress ip;
        try {
            ip = switch (where) {
                case "*", "0.0.0.0" -> InetAddress.ofLiteral("0.0.0.0");
                case "localhost" -> InetAddress.getLoopbackAddress();
                default -> InetAddress.ofLiteral(where.startsWith("[") && where.endsWith("]")
                        ? where.substring(1, where.length() - 1) : where);
            };
        } catch (IllegalArgumentException hostName) {
            return new Answer("unchecked", "Not checked: " + where + " is a name, not an address");
        }
        if (port == 0) {
            return new Answer("free", "Any free port: Caret shows the one it got");
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(ip, port), 1);
            return new Answer("free", "Port " + port + " is free on " + where);
        } catch (BindException e) {
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("in use")) {
                return new Answer("taken", "Local port " + port + " is already in use on " + where
                        + ": choose another local port or stop the program using it (ss -ltnp 'sport = :" + port
                        + "' shows which)");
            }
            if (reason.contains("Permission denied")) {
                return new Answer("taken", "Port " + port + " is below 1024: only root may listen there; choose 1024 or above");
            }
            if (reason.contains("assign requested address")) {
                return new Answer("invalid", "This machine has no address " + where + ": use 127.0.0.1, or one of its own");
            }
            return new Answer("taken", "Cannot listen on " + where + ":" + port + ": " + reason);
        } catch (IOException e) {
            return new Answer("taken", "Cannot listen on " + where + ":" + port + ": " + e.getMessage());
        }
    }
}
