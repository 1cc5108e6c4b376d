package caret.launcher;

import caret.spi.Endpoint;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain SOCKS client for tests: writes the handshake bytes itself and reads the reply code. */
final class SocksClient {

    /** The proxy answered with a failure code. */
    static final class Refused extends IOException {
        final int code;

        Refused(int code) {
            super(String.format("SOCKS reply 0x%02x", code));
            this.code = code;
        }
    }

    private SocksClient() {
    }

    static Socket connect(Endpoint proxy) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(20_000);
        socket.connect(new InetSocketAddress(proxy.host(), proxy.port()), 10_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** SOCKS5 CONNECT to an IPv4 literal or a host name; returns the connected socket or throws {@link Refused}. */
    static Socket socks5(Endpoint proxy, Endpoint target) throws IOException {
        Socket socket = connect(proxy);
        try {
            OutputStream out = socket.getOutputStream();
            out.write(socks5Request(target));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] method = new byte[2];
            in.readFully(method);
            if (method[0] != 5 || method[1] != 0) {
                throw new IOException("SOCKS5 method reply " + method[0] + "," + method[1]);
            }
            byte[] head = new byte[4];
            in.readFully(head);
            if (head[1] != 0) {
                throw new Refused(head[1] & 0xff);
            }
            int addressLength = switch (head[3]) {
                case 1 -> 4;
                case 4 -> 16;
                case 3 -> in.readUnsignedByte();
                default -> throw new IOException("bad ATYP in reply: " + head[3]);
            };
            in.readFully(new byte[addressLength + 2]);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The greeting (no auth) and a CONNECT request, in one piece, as a pipelining client sends them. */
    static byte[] socks5Request(Endpoint target) throws IOException {
        byte[] host;
        byte type;
        if (target.host().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            host = InetAddress.ofLiteral(target.host()).getAddress();
            type = 1;
        } else if (target.host().contains(":")) {
            host = InetAddress.ofLiteral(target.host()).getAddress();
            type = 4;
        } else {
            byte[] name = target.host().getBytes(StandardCharsets.US_ASCII);
            host = new byte[name.length + 1];
            host[0] = (byte) name.length;
            System.arraycopy(name, 0, host, 1, name.length);
            type = 3;
        }
        byte[] request = new byte[3 + 4 + host.length + 2];
        int i = 0;
        request[i++] = 5;
        request[i++] = 1;
        request[i++] = 0;
        request[i++] = 5;
        request[i++] = 1;
        request[i++] = 0;
        request[i++] = type;
        System.arraycopy(host, 0, request, i, host.length);
        i += host.length;
        request[i++] = (byte) (target.port() >> 8);
        request[i] = (byte) target.port();
        return request;
    }

    /** SOCKS4 CONNECT to an IPv4 literal; returns the socket or throws {@link Refused} with the reply code. */
    static Socket socks4(Endpoint proxy, Endpoint target) throws IOException {
        Socket socket = connect(proxy);
        try {
            byte[] ip = InetAddress.ofLiteral(target.host()).getAddress();
            socket.getOutputStream().write(new byte[] {4, 1, (byte) (target.port() >> 8), (byte) target.port(),
                    ip[0], ip[1], ip[2], ip[3], 'u', 0});
            byte[] reply = new byte[8];
            new DataInputStream(socket.getInputStream()).readFully(reply);
            if (reply[1] != 0x5a) {
                throw new Refused(reply[1] & 0xff);
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
