package caret.launcher.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Sends one {@link ControlRequest} to a running instance and returns its {@link ControlReply}. */
public final class ControlClient {

    private ControlClient() {
    }

    /**
     * @throws IOException when no instance answers at {@code path}, saying how to start one
     */
    public static ControlReply send(Path path, ControlRequest request) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("No Caret is running with the control socket " + path
                    + ": start one with 'caret up' (or 'caret [options] host'), or name its socket with -S PATH");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            OutputStream out = Channels.newOutputStream(channel);
            out.write(Json.mapper().writeValueAsBytes(request));
            out.write('\n');
            out.flush();
            InputStream in = Channels.newInputStream(channel);
            String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (line.isEmpty()) {
                throw new IOException("The Caret at " + path + " closed the control connection without answering");
            }
            return Json.mapper().readValue(line, ControlReply.class);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("The Caret")) {
                throw e;
            }
            throw new IOException("No Caret answers at the control socket " + path + " (" + e.getMessage()
                    + "): it is gone; start one with 'caret up'", e);
        }
    }

    /** Whether an instance answers at {@code path}. */
    public static boolean answers(Path path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException gone) {
            return false;
        }
    }
}
