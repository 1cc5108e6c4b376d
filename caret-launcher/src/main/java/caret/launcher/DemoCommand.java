package caret.launcher;

import caret.core.Caret;
import caret.core.Forward;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.core.Reconnect;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.ForwardSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code caret demo}: no server needed. Starts an embedded SSH server with throwaway keys and a web
 * page behind it, connects to it with Caret, opens one local, one reverse and one dynamic forward,
 * and shows how to try them. {@code --check} fetches the page through each and exits 0 or 1.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Try Caret without a server: one local, one reverse and one dynamic forward to a web page.",
                "Starts an embedded SSH server on 127.0.0.1 with throwaway keys and a web page behind it,",
                "connects to it with Caret, and shows the curl commands to try. Runs until Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

    PluginPathOption plugins = new PluginPathOption();
    @Mixin
    CommandSpec pluginsMixin = plugins.mixin();

    private static final int CHECK_TIMEOUT_MILLIS = 10_000;

    @Option(names = "--check", description = "Fetch the page through all three forwards, print the result, exit 0 if all worked, else 1.")
    boolean check;

    @Option(names = "--transport", paramLabel = "ID", description = "SSH library to use: sshd (the default) or jsch.")
    String transport = "sshd";

    @Option(names = "-v", description = "Verbose, as for caret.")
    boolean[] verbose = new boolean[0];

    /** For ./caret's start-up cache: the command line and traffic through its forwards (see {@link Training}). */
    @Option(names = "--train", hidden = true)
    boolean train;

    /** The training's server: the embedded SSH server and the traffic through the training's forwards, until standard input ends (see {@link Training}). */
    @Option(names = "--serve", hidden = true)
    boolean serve;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose.length);
        if (train) {
            return Training.run();
        }
        PrintStream out = System.out;
        // the transports first: MINA's security set-up (the MINA transport's, with which MINA writes and checks the
        // demo's ed25519 keys) must precede the demo server's use of MINA
        try (Caret caret = Caret.load(plugins.folders()); DemoServer demo = DemoServer.start()) {
            if (serve) {
                Training.serve(demo, out);
                return 0;
            }
            out.println("Caret demo: an embedded SSH server on 127.0.0.1:" + demo.sshPort()
                    + " (throwaway keys) with a web page on 127.0.0.1:" + demo.webPort() + " behind it.");
            int web = demo.webPort();
            List<ForwardSpec> specs = List.of(
                    caret.parse("local", "0:127.0.0.1:" + web),
                    caret.parse("reverse", "0:127.0.0.1:" + web),
                    caret.parse("dynamic", "0"));
            ConnectionSettings settings = new ConnectionSettings(new Endpoint("127.0.0.1", demo.sshPort()),
                    System.getProperty("user.name"), List.of(demo.clientKey()),
                    Caret.knownHosts(List.of(demo.knownHosts()), HostKeyPolicy.YES, HostKeyPrompt.NONE),
                    CredentialPrompt.NONE, Duration.ofSeconds(10), 3, Duration.ofSeconds(10));
            try (ForwardingClient client = new ForwardingClient(caret, out, System.err)) {
                client.connect(transport, settings, Reconnect.DEFAULT);
                List<Forward> forwards = client.start(specs, true);
                Endpoint local = forwards.get(0).status().address();
                Endpoint remote = forwards.get(1).status().address();
                Endpoint socks = forwards.get(2).status().address();
                if (check) {
                    return check(out, local, remote, socks, web);
                }
                out.println();
                out.println("Try them:");
                out.println("  curl http://" + local + "/                                # local forward (-L)");
                out.println("  curl http://127.0.0.1:" + remote.port() + "/                                # reverse forward (-R): the server's port; the demo server is this machine");
                out.println("  curl --socks5-hostname " + socks + " http://localhost:" + web + "/   # dynamic forward (-D), SOCKS5");
                out.println("Press Ctrl-C to stop.");
                out.flush();
                return client.awaitEnd();
            }
        }
    }

    private static int check(PrintStream out, Endpoint local, Endpoint remote, Endpoint socks, int web) {
        boolean ok = fetch(out, "local  ", () -> connect(Proxy.NO_PROXY, new InetSocketAddress("127.0.0.1", local.port())));
        ok &= fetch(out, "reverse", () -> connect(Proxy.NO_PROXY, new InetSocketAddress("127.0.0.1", remote.port())));
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks.port()));
        ok &= fetch(out, "dynamic", () -> connect(proxy, InetSocketAddress.createUnresolved("localhost", web)));
        out.println(ok ? "demo check passed: all three forwards carried the page" : "demo check FAILED");
        out.flush();
        return ok ? 0 : 1;
    }

    private interface Connector {
        Socket open() throws IOException;
    }

    private static Socket connect(Proxy proxy, InetSocketAddress target) throws IOException {
        Socket socket = new Socket(proxy);
        socket.setSoTimeout(CHECK_TIMEOUT_MILLIS);
        socket.connect(target, CHECK_TIMEOUT_MILLIS);
        return socket;
    }

    /**
     * A real HTTP request: sends it, reads the whole answer, checks the page. It does not half-close
     * as curl does not: MINA's embedded server, unlike OpenSSH's, drops a reverse forward's reply
     * when the client half-closes first.
     */
    private static boolean fetch(PrintStream out, String name, Connector connector) {
        try (Socket socket = connector.open()) {
            socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            String text = answer.toString(StandardCharsets.UTF_8);
            boolean ok = text.startsWith("HTTP/1.") && text.contains(" 200 ") && text.endsWith(DemoServer.PAGE);
            out.println("check " + name + ": " + (ok ? "ok, " + answer.size() + " bytes" : "FAILED, got: " + text.lines().findFirst().orElse("nothing")));
            return ok;
        } catch (IOException e) {
            out.println("check " + name + ": FAILED: " + e);
            return false;
        }
    }
}
