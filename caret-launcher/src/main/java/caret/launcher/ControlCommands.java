package caret.launcher;

import caret.launcher.control.ControlClient;
import caret.launcher.control.ControlReply;
import caret.launcher.control.ControlRequest;
import caret.launcher.control.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that talk to a running Caret over its control socket. */
final class ControlCommands {

    /** Exit code when the running instance refused the request or none answers, as ssh -O. */
    static final int FAILED = 255;

    private ControlCommands() {
    }

    /** Sends {@code request}, prints the reply's message, returns the exit code. */
    static int send(ControlSocketOption socket, ControlRequest request, PrintWriter out, PrintWriter err) {
        try {
            ControlReply reply = ControlClient.send(socket.path(), request);
            if (!reply.ok()) {
                err.println("Error: " + reply.message());
                return FAILED;
            }
            if (reply.message() != null) {
                out.println(reply.message());
            }
            return 0;
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return FAILED;
        }
    }

    @Command(name = "status", description = {"Each server and forward of the running Caret: name, kind, the address to connect to,",
            "state, open connections, bytes each way, last error."}, mixinStandardHelpOptions = true)
    static final class Status implements Callable<Integer> {

        ControlSocketOption socket = new ControlSocketOption();
        @Mixin
        CommandSpec socketMixin = socket.mixin();

        @Option(names = "--json", description = "Print JSON, for scripts.")
        boolean json;

        @Option(names = "--watch", description = "Refresh every second until interrupted (in place on a terminal).")
        boolean watch;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            boolean terminal = System.console() != null && System.console().isTerminal();
            do {
                ControlReply reply;
                try {
                    reply = ControlClient.send(socket.path(), ControlRequest.of("status"));
                } catch (IOException e) {
                    err.println("Error: " + e.getMessage());
                    return FAILED;
                }
                if (watch && terminal) {
                    out.print("\033[H\033[2J");
                }
                out.print(json ? Json.pretty().writeValueAsString(Map.of("servers", reply.servers())) + "\n" : StatusTable.render(reply.servers()));
                out.flush();
                if (watch) {
                    Thread.sleep(1000); // the refresh period, not a wait for a condition
                }
            } while (watch);
            return 0;
        }
    }

    /** A request about one forward, by name: on, off, remove. */
    abstract static class ForwardOp implements Callable<Integer> {

        private final String op;

        ControlSocketOption socket = new ControlSocketOption();
        @Mixin
        CommandSpec socketMixin = socket.mixin();

        @Parameters(paramLabel = "NAME", description = "The forward: NAME, SERVER/NAME or its spec.")
        String forward;

        @Spec
        CommandLine.Model.CommandSpec spec;

        ForwardOp(String op) {
            this.op = op;
        }

        @Override
        public Integer call() {
            return send(socket, new ControlRequest(op, null, forward, null, null, null, null, null),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "on", description = "Switch a forward on.", mixinStandardHelpOptions = true)
    static final class On extends ForwardOp {
        On() {
            super("on");
        }
    }

    @Command(name = "off", description = "Switch a forward off and free its ports; it keeps its place.", mixinStandardHelpOptions = true)
    static final class Off extends ForwardOp {
        Off() {
            super("off");
        }
    }

    @Command(name = "remove", description = "Stop a forward and forget it.", mixinStandardHelpOptions = true)
    static final class Remove extends ForwardOp {
        Remove() {
            super("remove");
        }
    }

    /** A request that needs nothing but its op: reload, save. */
    abstract static class PlainOp implements Callable<Integer> {

        private final String op;

        ControlSocketOption socket = new ControlSocketOption();
        @Mixin
        CommandSpec socketMixin = socket.mixin();

        @Spec
        CommandLine.Model.CommandSpec spec;

        PlainOp(String op) {
            this.op = op;
        }

        @Override
        public Integer call() {
            return send(socket, ControlRequest.of(op), spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "reload", description = "Read the configuration file of 'caret up' again and apply the difference;"
            + " a bad file changes nothing.", mixinStandardHelpOptions = true)
    static final class Reload extends PlainOp {
        Reload() {
            super("reload");
        }
    }

    @Command(name = "save", description = "Write the forwards of 'caret up' as they are now (added, removed, on or off)"
            + " into its configuration file.", mixinStandardHelpOptions = true)
    static final class Save extends PlainOp {
        Save() {
            super("save");
        }
    }

    @Command(name = "add", description = {"Add a forward to the running Caret and switch it on.",
            "  caret add --name web -L 8080:127.0.0.1:80 [--server NAME] [--off]"}, mixinStandardHelpOptions = true)
    static final class Add implements Callable<Integer> {

        ControlSocketOption socket = new ControlSocketOption();
        @Mixin
        CommandSpec socketMixin = socket.mixin();

        @Option(names = "--name", paramLabel = "NAME", description = "Its name (default: its kind and spec).")
        String name;

        @Option(names = "--server", paramLabel = "SERVER", description = "The server, when the running Caret has several.")
        String server;

        @Option(names = "--off", description = "Add it switched off.")
        boolean off;

        ForwardOptions given = new ForwardOptions();
        @Mixin
        CommandSpec givenMixin = given.mixin();

        @Option(names = "--socks-user", paramLabel = "USER",
                description = "For a dynamic forward: clients must log in as USER (SOCKS5); the password is read from $"
                        + SocksPassword.ENVIRONMENT + " or asked on the terminal.")
        String socksUser;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            List<ForwardOptions.Requested> all;
            try {
                all = given.requested();
            } catch (IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
                return CaretCommand.USAGE;
            }
            if (all.size() != 1) {
                err.println("Error: give exactly one forward: -L, -R, -D or --forward TYPE=SPEC");
                return CaretCommand.USAGE;
            }
            ForwardOptions.Requested one = all.getFirst();
            Map<String, String> options = null;
            if (socksUser != null) {
                if (!one.kind().equals("dynamic")) {
                    err.println("Error: --socks-user is for dynamic forwards (-D)");
                    return CaretCommand.USAGE;
                }
                try {
                    options = Map.of("user", socksUser, "password",
                            SocksPassword.obtain(socksUser, System.getenv(SocksPassword.ENVIRONMENT), UserPrompt.choose(false)));
                } catch (IllegalArgumentException e) {
                    err.println("Error: " + e.getMessage());
                    return CaretCommand.USAGE;
                }
            }
            return send(socket, new ControlRequest("add", server, null, name, one.kind(), one.spec(), options, !off),
                    spec.commandLine().getOut(), err);
        }
    }
}
