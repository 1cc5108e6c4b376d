package com.example.httpproxy;

import caret.spi.ChannelOpenException;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.ForwardType;
import caret.spi.InvalidSpecException;
import caret.spi.RunningForward;
import caret.spi.SpecSyntax;
import caret.spi.SshChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An HTTP proxy for programs that speak HTTP proxies but not SOCKS: each client sends
 * {@code CONNECT host:port HTTP/1.1}, and the connection goes through the SSH server to that
 * address. Spec: {@code [bind_address:]port}, like {@code -D}.
 */
public final class HttpProxyForwardType implements ForwardType {

    private static final int MAX_HEADER = 8192;

    @Override
    public String id() {
        return "http-proxy";
    }

    @Override
    public String description() {
        return "HTTP CONNECT proxy: each connection goes through the server to the host:port it asks for";
    }

    @Override
    public String usage() {
        return "[bind_address:]port";
    }

    @Override
    public ForwardSpec parse(String text) throws InvalidSpecException {
        try {
            List<String> fields = SpecSyntax.fields(text);
            if (fields.size() > 2) {
                throw new IllegalArgumentException("it has " + fields.size() + " fields, not 1 or 2");
            }
            String bind = fields.size() == 2 ? fields.getFirst() : null;
            int port = SpecSyntax.port(fields.getLast(), "port");
            return new ForwardSpec(id(), text, bind, port, null);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("HTTP proxy forward", text, e.getMessage(), usage());
        }
    }

    @Override
    public RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException {
        Endpoint address = context.serve(spec.bindAddress(), spec.port(), socket -> handle(socket, context));
        return RunningForward.onThisMachine(address);
    }

    /** Reads the CONNECT request, opens the channel, answers, and lets the engine pump the rest. */
    private static void handle(Socket socket, ForwardContext context) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] header = readHeader(in);
        String requestLine = new String(header, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        String[] words = requestLine.split(" ");
        if (words.length != 3 || !words[0].equals("CONNECT")) {
            out.write("HTTP/1.1 405 Only CONNECT\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return; // the engine closes the socket
        }
        Endpoint target;
        try {
            List<String> hostPort = SpecSyntax.fields(words[1]);
            target = new Endpoint(hostPort.get(0), SpecSyntax.port(hostPort.get(1), "port"));
        } catch (RuntimeException e) {
            out.write("HTTP/1.1 400 Bad CONNECT target\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        Endpoint client = new Endpoint(socket.getInetAddress().getHostAddress(), socket.getPort());
        SshChannel channel;
        try {
            channel = context.connection().openChannel(target, client);
        } catch (ChannelOpenException e) {
            out.write("HTTP/1.1 502 Bad Gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            context.connectionFailed("CONNECT " + target + " from " + client + ": " + e.getMessage(), e);
            return;
        }
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(0);
        context.pump(socket, channel, new byte[0]);
    }

    /** The request up to its blank line, read byte by byte so nothing after it is taken from the client. */
    private static byte[] readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        byte[] end = {'\r', '\n', '\r', '\n'};
        byte[] last = new byte[4];
        for (int b; (b = in.read()) >= 0; ) {
            header.write(b);
            System.arraycopy(last, 1, last, 0, 3);
            last[3] = (byte) b;
            if (Arrays.equals(last, end)) {
                return header.toByteArray();
            }
            if (header.size() > MAX_HEADER) {
                throw new IOException("request header longer than " + MAX_HEADER + " bytes");
            }
        }
        throw new IOException("client closed before the end of its request");
    }
}
