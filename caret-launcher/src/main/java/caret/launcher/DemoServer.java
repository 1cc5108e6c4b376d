package caret.launcher;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;

/**
 * What {@code caret demo} connects to: an embedded SSH server (MINA) on 127.0.0.1 with throwaway
 * keys, and a small web page on 127.0.0.1 behind it. Everything lives in a temporary folder that
 * {@link #close()} removes.
 */
final class DemoServer implements AutoCloseable {

    static final String PAGE = "Hello from the Caret demo: this page came through an SSH forward.\n";

    private final Path folder;
    private final HttpServer web;
    private final SshServer ssh;
    private final Path clientKey;
    private final Path knownHosts;

    private DemoServer(Path folder, HttpServer web, SshServer ssh, Path clientKey, Path knownHosts) {
        this.folder = folder;
        this.web = web;
        this.ssh = ssh;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
    }

    static DemoServer start() throws IOException, GeneralSecurityException {
        Path folder = Files.createTempDirectory("caret-demo-");
        HttpServer web = null;
        SshServer ssh = null;
        try {
            web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            web.createContext("/", exchange -> {
                byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            web.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            web.start();

            // ed25519, as ssh-keygen makes and OpenSSH's servers offer first: the start-up cache's training connects
            // with these keys, so a user's ed25519 classes come from the cache (30-40 ms less CPU in an ed25519 user's
            // start-up than with a cache trained on ECDSA keys)
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            KeyPair client = generator.generateKeyPair();
            Path clientKey = Files.createFile(folder.resolve("id_ed25519"), // private, or no client would use it
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(clientKey)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "caret-demo", null, out);
            }

            ssh = SshServer.setUpDefaultServer();
            ssh.setHost("127.0.0.1");
            ssh.setPort(0);
            KeyPairProvider hostKeys = KeyPairProvider.wrap(generator.generateKeyPair());
            ssh.setKeyPairProvider(hostKeys);
            PublicKey accepted = client.getPublic();
            ssh.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(accepted, key));
            ssh.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
            ssh.start();

            PublicKey hostKey = hostKeys.loadKeys(null).iterator().next().getPublic();
            Path knownHosts = folder.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + ssh.getPort() + " " + PublicKeyEntry.toString(hostKey) + "\n");
            return new DemoServer(folder, web, ssh, clientKey, knownHosts);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (ssh != null) {
                ssh.stop(true);
            }
            if (web != null) {
                web.stop(0);
            }
            deleteTree(folder);
            throw e;
        }
    }

    int sshPort() {
        return ssh.getPort();
    }

    int webPort() {
        return web.getAddress().getPort();
    }

    Path clientKey() {
        return clientKey;
    }

    Path knownHosts() {
        return knownHosts;
    }

    @Override
    public void close() throws IOException {
        try {
            ssh.stop(true);
        } finally {
            web.stop(0);
            deleteTree(folder);
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
