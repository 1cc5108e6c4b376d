package caret.launcher.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The running instance's control socket, as OpenSSH's ControlPath: a Unix domain socket, mode
 * 0600, in a folder only the user can enter, that takes one JSON request per connection from the
 * same user and answers it. A connection from another user is refused, whatever the file's mode.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    static final int MAX_REQUEST = 1 << 20;

    private final Path path;
    private final ServerSocketChannel channel;
    private final UserPrincipal owner;
    private final ControlHandler handler;

    private ControlServer(Path path, ServerSocketChannel channel, UserPrincipal owner,
            ControlHandler handler) {
        this.path = path;
        this.channel = channel;
        this.owner = owner;
        this.handler = handler;
    }

    /**
     * Listens at {@code path}. A socket file left by an instance that is gone is replaced.
     *
     * @throws IOException when another instance answers there, saying so, or the socket cannot be made
     */
    public static ControlServer start(Path path, ControlHandler handler) throws IOException {
        Path folder = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            if (ControlClient.answers(path)) {
                throw new IOException("Another Caret is running with the control socket " + path
                        + ": 'caret status' talks to it and 'caret -O exit' stops it; or give this one its own with -S PATH");
            }
            Files.delete(path); // left by an instance that did not exit cleanly
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            ControlServer server = new ControlServer(path, channel, Files.getOwner(path), handler);
            Thread.ofVirtual().name("caret-control").start(server::accept);
            log.debug("control socket at {}", path);
            return server;
        } catch (IOException e) {
            channel.close();
            throw new IOException("Cannot listen on the control socket " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("closing the control socket {}: {}", path, e.toString());
        }
    }

    private void accept() {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                Thread.ofVirtual().name("caret-control-client").start(() -> serve(client));
            } catch (IOException e) {
                if (channel.isOpen()) {
                    log.warn("control socket {}: {}", path, e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; OutputStream out = Channels.newOutputStream(client)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
            String line = readLine(in); // read before any answer: closing on unread input would reset the reply
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(owner)) {
                log.warn("control socket {}: refused a connection from user {}", path, peer.user().getName());
                reply(out, ControlReply.refused("Refused: this Caret belongs to " + owner.getName()));
                return;
            }
            Answer answer = answer(line, handler);
            reply(out, answer.reply());
            if (answer.request() != null) {
                handler.replied(answer.request());
            }
        } catch (IOException | UncheckedIOException e) {
            log.debug("control connection: {}", e.toString());
        }
    }

    /**
     * Reads one request line, up to a newline or the end of the stream, without the newline.
     *
     * @throws IOException when the line is longer than {@value #MAX_REQUEST} characters, or the stream fails
     */
    static String readLine(Reader in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (line.length() >= MAX_REQUEST) {
                throw new IOException("request longer than " + MAX_REQUEST + " characters");
            }
            line.append((char) c);
        }
        return line.toString();
    }

    /** A request line's answer: the reply, and the request when the line was one. */
    record Answer(ControlRequest request, ControlReply reply) {
    }

    /**
     * Parses one request line and has the handler answer it; a line that is not a request with an
     * op is refused, saying why, without reaching the handler.
     */
    static Answer answer(String line, ControlHandler handler) {
        ControlRequest request = null;
        ControlReply reply;
        try {
            request = Json.mapper().readValue(line, ControlRequest.class);
            log.debug("control: {}", request);
            if (request == null) {
                reply = ControlReply.refused("Not a request: JSON null; send an object with an op, as {\"op\":\"status\"}");
            } else {
                reply = request.op() == null ? ControlReply.refused("No op in the request") : handler.handle(request);
            }
        } catch (JacksonException e) {
            reply = ControlReply.refused("Not a request: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            log.warn("control request failed: {}", e.toString(), e);
            reply = ControlReply.refused("Failed: " + e.getMessage());
        }
        return new Answer(request, reply);
    }

    private void reply(OutputStream out, ControlReply reply) throws IOException {
        out.write(Json.mapper().writeValueAsBytes(reply));
        out.write('\n');
        out.flush();
    }
}
