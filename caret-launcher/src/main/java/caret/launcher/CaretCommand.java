package caret.launcher;

import caret.core.Caret;
import caret.core.DiscoveryIssue;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.core.Reconnect;
import caret.launcher.control.ControlRequest;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.InvalidSpecException;
import caret.spi.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caret [options] [user@]host}: OpenSSH's forwarding options, so {@code ssh -N -L} users are at home. */
@Command(name = "caret",
        description = {"SSH port forwarding: local (-L), reverse (-R) and dynamic SOCKS (-D) forwards over one SSH connection.",
                "Runs until interrupted. Each forward prints one 'ready' line with the address to connect to."},
        subcommands = {ControlCommands.Status.class, ControlCommands.On.class, ControlCommands.Off.class,
                ControlCommands.Add.class, ControlCommands.Remove.class, ControlCommands.Reload.class,
                DemoCommand.class, PluginsCommand.class, CommandLine.HelpCommand.class},
        mixinStandardHelpOptions = true, versionProvider = CaretCommand.Version.class, sortOptions = false,
        usageHelpAutoWidth = true, separator = " ")
final class CaretCommand implements Callable<Integer> {

    @Mixin
    PluginPathOption plugins = new PluginPathOption();

    @Mixin
    ControlSocketOption control = new ControlSocketOption();

    static final int USAGE = 2;
    private static final String DYNAMIC = "dynamic";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "-L", paramLabel = "[bind_address:]port:host:hostport",
            description = "Local forward: a port on this machine (loopback unless a bind address is given) to host:hostport as the server sees it. Port 0 picks a free port.")
    List<String> local = new ArrayList<>();

    @Option(names = "-R", paramLabel = "[bind_address:]port:host:hostport",
            description = "Reverse forward: a port on the server (its loopback unless a bind address is given) back to host:hostport on this machine. Port 0 lets the server choose.")
    List<String> reverse = new ArrayList<>();

    @Option(names = "-D", paramLabel = "[bind_address:]port",
            description = "Dynamic forward: a SOCKS 4, 4a and 5 proxy on this machine; names are resolved on the server.")
    List<String> dynamic = new ArrayList<>();

    @Option(names = "--forward", paramLabel = "TYPE=SPEC",
            description = "A forward of any installed type, e.g. --forward local=8080:db:5432 (see 'caret plugins').")
    List<String> forwards = new ArrayList<>();

    @Option(names = "--socks-user", paramLabel = "USER",
            description = "Dynamic forwards (-D, --forward dynamic=...) take only SOCKS5 clients with this username and its password, "
                    + "read from $" + SocksPassword.ENVIRONMENT + " or asked on the terminal (never given on the command line). "
                    + "SOCKS4 clients are refused then.")
    String socksUser;

    @Option(names = "-p", paramLabel = "PORT", description = "Port to connect to on the server (default 22).")
    Integer port;

    @Option(names = "-l", paramLabel = "USER", description = "User to log in as.")
    String user;

    @Option(names = "-i", paramLabel = "IDENTITY", description = "Private key file; may be repeated. Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa.")
    List<Path> identities = new ArrayList<>();

    @Option(names = "-o", paramLabel = "Key=Value",
            description = "OpenSSH option: BatchMode, ConnectTimeout, ExitOnForwardFailure, IdentitiesOnly, IdentityFile, Port, ServerAliveCountMax, ServerAliveInterval, StrictHostKeyChecking, User, UserKnownHostsFile, GlobalKnownHostsFile, CaretTransport.")
    List<String> options = new ArrayList<>();

    @Option(names = "--transport", paramLabel = "ID", description = "SSH library to use: sshd (Apache MINA SSHD, the default) or jsch. See 'caret plugins'.")
    String transport;

    @Option(names = "-O", paramLabel = "CTL_CMD",
            description = "Ask the running Caret (see -S), as ssh -O: check, exit, forward (with -L/-R/-D), cancel (with -L/-R/-D).")
    String controlCommand;

    @Option(names = "--on-event", paramLabel = "CMD",
            description = "Run CMD (with sh -c) with each forward's outage, return or failure as JSON on its standard input.")
    String onEvent;

    @Option(names = "-N", description = "Accepted for ssh compatibility: Caret never runs a remote command.")
    boolean noCommand;

    @Option(names = "-T", description = "Accepted for ssh compatibility: Caret never allocates a terminal.")
    boolean noTty;

    @Option(names = "-n", description = "Accepted for ssh compatibility: Caret never reads standard input.")
    boolean noStdin;

    @Option(names = "-v", description = "Verbose: -v Caret's lifecycle and connections, -vv the SSH library's too, -vvv everything.")
    boolean[] verbose = new boolean[0];

    @Parameters(index = "0", arity = "0..1", paramLabel = "[user@]host", description = "The SSH server, as for ssh; also ssh://[user@]host[:port].")
    String destination;

    @Parameters(index = "1..*", arity = "0", hidden = true)
    List<String> command = new ArrayList<>();

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CaretCommand());
        cli.setPosixClusteredShortOptionsAllowed(true);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("Error: " + e.getMessage());
            return 1;
        });
        return cli;
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose.length);
        PrintWriter err = spec.commandLine().getErr();
        if (controlCommand != null) {
            return controlRequest(err);
        }
        if (destination == null) {
            err.println("Error: no server given. Usage: caret [-L spec]... [-R spec]... [-D spec]... [user@]host, or 'caret demo'.");
            err.println("Run 'caret --help' for every option.");
            return USAGE;
        }
        if (!command.isEmpty()) {
            err.println("Error: Caret runs no remote commands ('" + String.join(" ", command) + "'): it only forwards ports.");
            return USAGE;
        }
        SshOptions ssh;
        try {
            ssh = SshOptions.parse(options);
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            return USAGE;
        }
        try (Caret caret = Caret.load(plugins.folders())) {
            report(caret.issues(), err);
            Optional<UserPrompt> prompt = UserPrompt.choose(ssh.flag("BatchMode", false));
            List<ForwardSpec> specs;
            Target target;
            try {
                specs = parseForwards(caret);
                target = Target.parse(destination, user, port, ssh);
                if (socksUser != null) {
                    specs = withSocksUser(caret, specs, prompt);
                }
            } catch (InvalidSpecException | IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
                return USAGE;
            }
            String transportId = transport != null ? transport : ssh.get("CaretTransport").orElse("sshd");
            if (!caret.transportIds().contains(transportId)) {
                err.println("Error: no transport '" + transportId + "'; available: " + String.join(", ", caret.transportIds())
                        + ". Run 'caret plugins' to see what was found.");
                return USAGE;
            }
            ConnectionSettings settings = settings(target, ssh, prompt);
            Reconnect reconnect = ssh.flag("CaretReconnect", true) ? Reconnect.DEFAULT : Reconnect.NEVER;
            try (ForwardingClient client = new ForwardingClient(caret, System.out, System.err)) {
                try {
                    client.connect(transportId, settings, reconnect);
                } catch (TransportException e) {
                    err.println(e.getMessage());
                    return ForwardingClient.CONNECTION_FAILED;
                }
                try {
                    client.control(control.path(), null);
                } catch (IOException e) {
                    if (control.chosen()) {
                        err.println("Error: " + e.getMessage());
                        return ForwardingClient.CONNECTION_FAILED;
                    }
                    // another instance has the default one: this one runs without (the logger is made after -v is applied)
                    LoggerFactory.getLogger(CaretCommand.class).info("no control socket: {}", e.getMessage());
                }
                if (onEvent != null) {
                    client.onEvent(EventHook.of(onEvent));
                }
                try {
                    client.start(specs, ssh.flag("ExitOnForwardFailure", false));
                } catch (ForwardException e) {
                    err.println("Exiting: ExitOnForwardFailure is set and a forward failed.");
                    return ForwardingClient.CONNECTION_FAILED;
                }
                return client.awaitEnd();
            }
        }
    }

    /** {@code -O check|exit|forward|cancel}: a request to the running instance, as ssh's. */
    private int controlRequest(PrintWriter err) {
        PrintWriter out = spec.commandLine().getOut();
        String op = controlCommand.toLowerCase(java.util.Locale.ROOT);
        switch (op) {
            case "check", "exit" -> {
                return ControlCommands.send(control, new ControlRequest(op, destination, null, null, null, null, null, null), out, err);
            }
            case "forward", "cancel" -> {
                List<String[]> all = new ArrayList<>();
                local.forEach(s -> all.add(new String[] {"local", s}));
                reverse.forEach(s -> all.add(new String[] {"reverse", s}));
                dynamic.forEach(s -> all.add(new String[] {"dynamic", s}));
                if (all.isEmpty()) {
                    err.println("Error: -O " + op + " needs a forward: -L, -R or -D");
                    return USAGE;
                }
                int exit = 0;
                for (String[] one : all) {
                    exit = Math.max(exit, ControlCommands.send(control,
                            new ControlRequest(op, destination, null, null, one[0], one[1], null, null), out, err));
                }
                return exit;
            }
            default -> {
                err.println("Error: unknown -O " + controlCommand + ": use check, exit, forward or cancel");
                return USAGE;
            }
        }
    }

    private List<ForwardSpec> parseForwards(Caret caret) throws InvalidSpecException {
        List<ForwardSpec> specs = new ArrayList<>();
        for (String s : local) {
            specs.add(caret.parse("local", s));
        }
        for (String s : reverse) {
            specs.add(caret.parse("reverse", s));
        }
        for (String s : dynamic) {
            specs.add(caret.parse(DYNAMIC, s));
        }
        for (String s : forwards) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Bad --forward '" + s + "': write TYPE=SPEC, e.g. --forward local=8080:db:5432");
            }
            specs.add(caret.parse(s.substring(0, eq), s.substring(eq + 1)));
        }
        return specs;
    }

    /**
     * The dynamic forwards among {@code specs} parsed again with {@code --socks-user} and its password
     * as their options; the others as they were.
     */
    private List<ForwardSpec> withSocksUser(Caret caret, List<ForwardSpec> specs, Optional<UserPrompt> prompt)
            throws InvalidSpecException {
        if (specs.stream().noneMatch(spec -> spec.type().equals(DYNAMIC))) {
            throw new IllegalArgumentException("--socks-user is for dynamic forwards, and none is given: add -D [bind_address:]port,"
                    + " or leave --socks-user out");
        }
        if (socksUser.isEmpty()) {
            throw new IllegalArgumentException("--socks-user is empty: give the username SOCKS5 clients must use");
        }
        Map<String, String> options = Map.of("user", socksUser,
                "password", SocksPassword.obtain(socksUser, System.getenv(SocksPassword.ENVIRONMENT), prompt));
        List<ForwardSpec> withUser = new ArrayList<>();
        for (ForwardSpec spec : specs) {
            withUser.add(spec.type().equals(DYNAMIC) ? caret.parse(DYNAMIC, spec.text(), options) : spec);
        }
        return withUser;
    }

    private ConnectionSettings settings(Target target, SshOptions ssh, Optional<UserPrompt> prompt) {
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> keys = new ArrayList<>(identities);
        ssh.identityFiles().stream().map(SshOptions::expandHome).forEach(keys::add);
        if (keys.isEmpty()) {
            for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                Path key = home.resolve(".ssh").resolve(name);
                if (Files.isReadable(key)) {
                    keys.add(key);
                }
            }
        }
        List<Path> knownHosts = new ArrayList<>(ssh.paths("UserKnownHostsFile")
                .orElse(List.of(home.resolve(".ssh/known_hosts"))));
        knownHosts.addAll(ssh.paths("GlobalKnownHostsFile").orElse(List.of(Path.of("/etc/ssh/ssh_known_hosts"))));
        HostKeyPolicy policy = ssh.hostKeyPolicy().orElse(HostKeyPolicy.ASK);
        HostKeyPrompt hostKeyPrompt = prompt.<HostKeyPrompt>map(p -> p).orElse(HostKeyPrompt.NONE);
        CredentialPrompt credentials = prompt.<CredentialPrompt>map(p -> p).orElse(CredentialPrompt.NONE);
        return new ConnectionSettings(target.server(), target.user(), keys,
                Caret.knownHosts(knownHosts, policy, hostKeyPrompt), credentials,
                ssh.seconds("ServerAliveInterval").orElse(Duration.ofSeconds(10)),
                ssh.integer("ServerAliveCountMax", 1, 1000).orElse(3),
                ssh.seconds("ConnectTimeout").orElse(Duration.ofSeconds(30)));
    }

    private static void report(List<DiscoveryIssue> issues, PrintWriter err) {
        issues.forEach(issue -> err.println(issue.severity() == DiscoveryIssue.Severity.ERROR
                ? "Error: " + issue.message() : "Warning: " + issue.message()));
    }

    /** Where to connect, from {@code [user@]host} or {@code ssh://[user@]host[:port]}, -l, -p and -o. */
    record Target(Endpoint server, String user) {

        static Target parse(String destination, String userOption, Integer portOption, SshOptions ssh) {
            String rest = destination;
            Integer uriPort = null;
            String uriUser = null;
            if (rest.startsWith("ssh://")) {
                rest = rest.substring("ssh://".length());
                if (rest.endsWith("/")) {
                    rest = rest.substring(0, rest.length() - 1);
                }
                int at = rest.lastIndexOf('@');
                if (at >= 0) {
                    uriUser = rest.substring(0, at);
                    rest = rest.substring(at + 1);
                }
                int colon = rest.lastIndexOf(':');
                if (colon > rest.lastIndexOf(']')) {
                    uriPort = Integer.valueOf(rest.substring(colon + 1));
                    rest = rest.substring(0, colon);
                }
            } else {
                int at = rest.lastIndexOf('@');
                if (at >= 0) {
                    uriUser = rest.substring(0, at);
                    rest = rest.substring(at + 1);
                }
            }
            if (rest.isEmpty() || (uriUser != null && uriUser.isEmpty())) {
                throw new IllegalArgumentException("Bad destination '" + destination + "': write [user@]host or ssh://[user@]host[:port]");
            }
            String user = userOption != null ? userOption
                    : uriUser != null ? uriUser : ssh.get("User").orElse(System.getProperty("user.name"));
            int port = portOption != null ? portOption
                    : uriPort != null ? uriPort : ssh.integer("Port", 1, 65535).orElse(22);
            return new Target(new Endpoint(rest, port), user);
        }
    }

    /** The version of the launcher module. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CaretCommand.class.getModule().getDescriptor() == null ? "dev"
                    : CaretCommand.class.getModule().getDescriptor().toNameAndVersion();
            return new String[] {version, "Java " + Runtime.version()};
        }
    }
}
