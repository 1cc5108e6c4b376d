package caret.launcher;

import caret.core.Caret;
import caret.core.DiscoveryIssue;
import caret.core.HostKeyPolicy;
import caret.core.HostKeyPrompt;
import caret.core.Reconnect;
import caret.launcher.control.ControlRequest;
import caret.launcher.sshconfig.ConfigForward;
import caret.launcher.sshconfig.HostEntry;
import caret.launcher.sshconfig.JumpHost;
import caret.launcher.sshconfig.Overrides;
import caret.launcher.sshconfig.SshConfig;
import caret.launcher.sshconfig.SshConfigException;
import caret.launcher.sshconfig.Tokens;
import caret.spi.ConnectionSettings;
import caret.spi.CredentialPrompt;
import caret.spi.Endpoint;
import caret.spi.ForwardException;
import caret.spi.ForwardSpec;
import caret.spi.InvalidSpecException;
import caret.spi.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code caret [options] [user@]host}: OpenSSH's forwarding options, so {@code ssh -N -L} users are at
 * home. Its options are built in code ({@link Options}), not from annotations: this command is built
 * at every start.
 */
final class CaretCommand implements Callable<Integer> {

    static final int USAGE = 2;
    private static final String DYNAMIC = "dynamic";

    /** The subcommands by name, in the order of the usage help. Their names are their {@code @Command}'s. */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            "up", UpCommand.class, "status", ControlCommands.Status.class, "on", ControlCommands.On.class,
            "off", ControlCommands.Off.class, "add", ControlCommands.Add.class, "remove", ControlCommands.Remove.class,
            "reload", ControlCommands.Reload.class, "save", ControlCommands.Save.class, "ui", UiCommand.class,
            "demo", DemoCommand.class, "plugins", PluginsCommand.class, "help", CommandLine.HelpCommand.class);

    final PluginPathOption plugins = new PluginPathOption();
    final ControlSocketOption control = new ControlSocketOption();
    final ForwardOptions given = new ForwardOptions();
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private String socksUser;
    private Integer port;
    private String user;
    private List<Path> identities = new ArrayList<>();
    private List<String> options = new ArrayList<>();
    private String configFile;
    private String jumpHost;
    private String transport;
    private String controlCommand;
    private String onEvent;
    private boolean[] verbose = new boolean[0];
    private String destination;
    private List<String> command = new ArrayList<>();

    private CaretCommand() {
        spec.name("caret").versionProvider(new Version());
        spec.usageMessage().autoWidth(true).sortOptions(false).description(
                "SSH port forwarding: local (-L), reverse (-R) and dynamic SOCKS (-D) forwards over one SSH connection.",
                "Runs until interrupted. Each forward prints one 'ready' line with the address to connect to.");
        spec.parser().separator(" ");
        spec.addMixin("plugins", plugins.mixin());
        spec.addMixin("control", control.mixin());
        spec.addMixin("given", given.mixin());
        spec.addOption(Options.option("--socks-user", String.class, () -> socksUser, value -> socksUser = value)
                .paramLabel("USER")
                .description("Dynamic forwards (-D, --forward dynamic=...) take only SOCKS5 clients with this username and its password, "
                        + "read from $" + SocksPassword.ENVIRONMENT + " or asked on the terminal (never given on the command line). "
                        + "SOCKS4 clients are refused then.")
                .build());
        spec.addOption(Options.option("-p", Integer.class, () -> port, value -> port = value)
                .paramLabel("PORT").description("Port to connect to on the server (default 22).").build());
        spec.addOption(Options.option("-l", String.class, () -> user, value -> user = value)
                .paramLabel("USER").description("User to log in as.").build());
        spec.addOption(Options.list("-i", Path.class, () -> identities, value -> identities = value)
                .paramLabel("IDENTITY")
                .description("Private key file; may be repeated. Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa.")
                .build());
        spec.addOption(Options.list("-o", String.class, () -> options, value -> options = value)
                .paramLabel("Key=Value")
                .description("OpenSSH option: BatchMode, ConnectTimeout, ExitOnForwardFailure, IdentitiesOnly, IdentityFile, Port,"
                        + " ServerAliveCountMax, ServerAliveInterval, StrictHostKeyChecking, User, UserKnownHostsFile,"
                        + " GlobalKnownHostsFile, CaretTransport. Wins over the config file.")
                .build());
        spec.addOption(Options.option("-F", String.class, () -> configFile, value -> configFile = value)
                .paramLabel("FILE")
                .description("OpenSSH client config file, as ssh -F; 'none' reads none. Default: ~/.ssh/config if it exists"
                                + " (/etc/ssh/ssh_config is not read).",
                        "Honoured: Host, Match, Include, HostName, Port, User, IdentityFile, UserKnownHostsFile, GlobalKnownHostsFile,"
                                + " StrictHostKeyChecking, ServerAliveInterval, ServerAliveCountMax, ConnectTimeout, BatchMode,"
                                + " IdentitiesOnly, LocalForward, RemoteForward, DynamicForward, ExitOnForwardFailure, ProxyJump;"
                                + " other keywords are ignored. The host's forward lines start after -L, -R and -D.")
                .build());
        spec.addOption(Options.option("-J", String.class, () -> jumpHost, value -> jumpHost = value)
                .paramLabel("[user@]host[:port]")
                .description("Jump host, as ssh -J (one hop; also ssh://host:port); 'none' ignores the config's ProxyJump.")
                .build());
        spec.addOption(Options.option("--transport", String.class, () -> transport, value -> transport = value)
                .paramLabel("ID")
                .description("SSH library to use: sshd (Apache MINA SSHD, the default) or jsch. See 'caret plugins'.")
                .build());
        spec.addOption(Options.option("-O", String.class, () -> controlCommand, value -> controlCommand = value)
                .paramLabel("CTL_CMD")
                .description("Ask the running Caret (see -S), as ssh -O: check, exit, forward (with -L/-R/-D), cancel (with -L/-R/-D).")
                .build());
        spec.addOption(Options.option("--on-event", String.class, () -> onEvent, value -> onEvent = value)
                .paramLabel("CMD")
                .description("Run CMD (with sh -c) with each forward's outage, return or failure as JSON on its standard input.")
                .build());
        spec.addOption(OptionSpec.builder("-N").type(boolean.class)
                .description("Accepted for ssh compatibility: Caret never runs a remote command.").build());
        spec.addOption(OptionSpec.builder("-T").type(boolean.class)
                .description("Accepted for ssh compatibility: Caret never allocates a terminal.").build());
        spec.addOption(OptionSpec.builder("-n").type(boolean.class)
                .description("Accepted for ssh compatibility: Caret never reads standard input.").build());
        spec.addOption(Options.option("-v", boolean[].class, () -> verbose, value -> verbose = value).arity("0")
                .description("Verbose: -v Caret's lifecycle and connections, -vv the SSH library's too, -vvv everything.")
                .build());
        Options.addHelpOptions(spec);
        spec.addPositional(Options.positional("0", String.class, () -> destination, value -> destination = value)
                .arity("0..1").paramLabel("[user@]host")
                .description("The SSH server, as for ssh, or a Host alias of the config file; also ssh://[user@]host[:port].")
                .build());
        spec.addPositional(Options.positionals("1..*", String.class, () -> command, value -> command = value)
                .arity("0").hidden(true).build());
    }

    /**
     * The command line for {@code args}: with the subcommands when an argument is one's name, asks for
     * help ({@code --help}, {@code -h} alone or in a cluster), or is an {@code @file} of arguments;
     * without them otherwise, where none can be run (picocli builds a subcommand from its
     * annotations by reflection, 70 ms for all of them). A command line without them that picocli
     * cannot parse runs again with them, so its error and usage text are the same either way.
     */
    static CommandLine commandLine(String... args) {
        boolean full = mayNameSubcommand(args);
        CommandLine cli = build(full);
        if (!full) {
            cli.setParameterExceptionHandler((e, given) -> build(true).execute(given));
        }
        return cli;
    }

    private static boolean mayNameSubcommand(String... args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.startsWith("@") || (arg.startsWith("-") && !arg.startsWith("--") && arg.indexOf('h') > 0)
                    || SUBCOMMANDS.containsKey(arg)) {
                return true;
            }
        }
        return false;
    }

    private static CommandLine build(boolean withSubcommands) {
        CommandLine cli = new CommandLine(new CaretCommand().spec);
        if (withSubcommands) {
            SUBCOMMANDS.forEach(cli::addSubcommand);
        }
        cli.setPosixClusteredShortOptionsAllowed(true);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("Error: " + e.getMessage());
            return 1;
        });
        return cli;
    }

    private static Map<String, Class<?>> subcommands(Object... nameThenClass) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
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
        HostEntry entry;
        Target target;
        try {
            Destination to = Destination.parse(destination);
            SshConfig config = config();
            entry = config.resolve(to.host(), new Overrides(Optional.ofNullable(user).or(to::user).or(() -> ssh.get("User")),
                    Optional.ofNullable(port).or(to::port).or(() -> ssh.integer("Port", 1, 65535)), jumpHost != null));
            target = new Target(new Endpoint(entry.hostName(), entry.port()), entry.user(), jump(config, entry));
        } catch (IllegalArgumentException | SshConfigException e) {
            err.println("Error: " + e.getMessage());
            return USAGE;
        }
        entry.warnings().forEach(warning -> err.println("Warning: " + warning));
        try (Caret caret = Caret.load(plugins.folders())) {
            report(caret.issues(), err);
            Optional<UserPrompt> prompt = UserPrompt.choose(ssh.flag("BatchMode").or(entry::batchMode).orElse(false));
            List<ForwardSpec> specs;
            try {
                specs = parseForwards(caret, entry.forwards());
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
            ConnectionSettings settings;
            try {
                settings = settings(target, ssh, entry, prompt);
                if (target.jump().isPresent()) {
                    Target.Jump via = target.jump().get();
                    settings = settings.withJump(Jumps.through(settings, via.user(), new Endpoint(via.host(), via.port())));
                }
            } catch (IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
                return USAGE;
            }
            Reconnect reconnect = ssh.flag("CaretReconnect").orElse(true) ? Reconnect.DEFAULT : Reconnect.NEVER;
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
                    client.start(specs, ssh.flag("ExitOnForwardFailure").or(entry::exitOnForwardFailure).orElse(false));
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
                List<ForwardOptions.Requested> all;
                try {
                    all = given.requested();
                } catch (IllegalArgumentException e) {
                    err.println("Error: " + e.getMessage());
                    return USAGE;
                }
                if (all.isEmpty()) {
                    err.println("Error: -O " + op + " needs a forward: -L, -R or -D");
                    return USAGE;
                }
                int exit = 0;
                for (ForwardOptions.Requested one : all) {
                    exit = Math.max(exit, ControlCommands.send(control,
                            new ControlRequest(op, destination, null, null, one.kind(), one.spec(), null, null), out, err));
                }
                return exit;
            }
            default -> {
                err.println("Error: unknown -O " + controlCommand + ": use check, exit, forward or cancel");
                return USAGE;
            }
        }
    }

    /** {@code -F FILE}, {@code -F none}, else {@code ~/.ssh/config} when it exists. */
    private SshConfig config() throws SshConfigException {
        if (configFile == null) {
            return SshConfig.readUserConfig();
        }
        return configFile.equals("none") ? SshConfig.empty() : SshConfig.read(Path.of(configFile));
    }

    /**
     * The jump host of {@code -J}, else of the config's ProxyJump, resolved through the config as
     * ssh resolves it (it runs ssh again for the jump host).
     */
    private Optional<Target.Jump> jump(SshConfig config, HostEntry entry) throws SshConfigException {
        Optional<JumpHost> hop;
        if (jumpHost == null) {
            hop = entry.proxyJump();
        } else {
            hop = jumpHost.equals("none") ? Optional.empty() : Optional.of(JumpHost.parse(jumpHost));
        }
        if (hop.isEmpty()) {
            return Optional.empty();
        }
        JumpHost via = hop.get();
        HostEntry jumpEntry = config.resolve(via.host(), new Overrides(via.user(),
                via.port().isPresent() ? Optional.of(via.port().getAsInt()) : Optional.empty(), false));
        if (jumpEntry.proxyJump().isPresent()) {
            throw new IllegalArgumentException("The jump host " + via + " has a ProxyJump of its own (" + jumpEntry.proxyJump().get()
                    + "); Caret goes through one jump host: connect to " + via + " directly or change its ProxyJump");
        }
        return Optional.of(new Target.Jump(jumpEntry.user(), jumpEntry.hostName(), jumpEntry.port()));
    }

    /**
     * The command line's forwards, then the config's, as ssh: a config forward equal to one before
     * it is started once (ssh skips duplicates); a bad one names its line.
     */
    private List<ForwardSpec> parseForwards(Caret caret, List<ConfigForward> fromConfig) throws InvalidSpecException {
        List<ForwardSpec> specs = new ArrayList<>();
        for (ForwardOptions.Requested forward : given.requested()) {
            specs.add(caret.parse(forward.kind(), forward.spec()));
        }
        for (ConfigForward forward : fromConfig) {
            ForwardSpec spec;
            try {
                spec = caret.parse(forward.type(), forward.spec());
            } catch (InvalidSpecException e) {
                throw new IllegalArgumentException(forward.origin() + ": " + e.getMessage(), e);
            }
            if (specs.stream().noneMatch(earlier -> sameForward(earlier, spec))) {
                specs.add(spec);
            }
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

    private static boolean sameForward(ForwardSpec a, ForwardSpec b) {
        return a.type().equals(b.type()) && Objects.equals(a.bindAddress(), b.bindAddress()) && a.port() == b.port()
                && Objects.equals(a.target(), b.target());
    }

    /**
     * The command line's options first, then the config's, then Caret's defaults. File names are
     * expanded with the connection's tokens ({@code ~}, {@code %h}, {@code %p}, {@code %r}…), as ssh does.
     *
     * @throws IllegalArgumentException for a file name with a token Caret does not expand
     */
    private ConnectionSettings settings(Target target, SshOptions ssh, HostEntry entry, Optional<UserPrompt> prompt) {
        Tokens tokens = entry.tokens();
        List<String> named = new ArrayList<>(identities.stream().map(Path::toString).toList());
        named.addAll(ssh.identityFiles());
        List<Path> keys = new ArrayList<>(files(named, tokens));
        entry.identityFiles().ifPresent(keys::addAll);
        if (named.isEmpty() && entry.identityFiles().isEmpty()) {
            keys.addAll(SshDefaults.identities());
        }
        List<Path> userFiles = ssh.words("UserKnownHostsFile").map(words -> files(words, tokens))
                .or(entry::userKnownHostsFiles).orElse(List.of(SshDefaults.userKnownHosts()));
        // UserKnownHostsFile none: new keys go nowhere (as with ssh), never into the first global file
        List<Path> knownHosts = new ArrayList<>(userFiles.isEmpty() ? List.of(Path.of("/dev/null")) : userFiles);
        knownHosts.addAll(ssh.words("GlobalKnownHostsFile").map(words -> files(words, tokens))
                .or(entry::globalKnownHostsFiles).orElse(List.of(SshDefaults.globalKnownHosts())));
        HostKeyPolicy policy = ssh.hostKeyPolicy().or(entry::strictHostKeyChecking).orElse(HostKeyPolicy.ASK);
        HostKeyPrompt hostKeyPrompt = prompt.<HostKeyPrompt>map(p -> p).orElse(HostKeyPrompt.NONE);
        CredentialPrompt credentials = prompt.<CredentialPrompt>map(p -> p).orElse(CredentialPrompt.NONE);
        return new ConnectionSettings(target.server(), target.user(), keys,
                Caret.knownHosts(knownHosts, policy, hostKeyPrompt), credentials,
                ssh.seconds("ServerAliveInterval").or(entry::serverAliveInterval).orElse(SshDefaults.KEEPALIVE_INTERVAL),
                ssh.integer("ServerAliveCountMax", 1, 1000).or(entry::serverAliveCountMax).orElse(SshDefaults.KEEPALIVE_COUNT_MAX),
                ssh.seconds("ConnectTimeout").or(entry::connectTimeout).orElse(SshDefaults.CONNECT_TIMEOUT));
    }

    /** File names from the command line, expanded; {@code none} names no file. */
    private static List<Path> files(List<String> names, Tokens tokens) {
        return names.stream().filter(name -> !name.equalsIgnoreCase("none")).map(tokens::path).toList();
    }

    private static void report(List<DiscoveryIssue> issues, PrintWriter err) {
        issues.forEach(issue -> err.println(issue.severity() == DiscoveryIssue.Severity.ERROR
                ? "Error: " + issue.message() : "Warning: " + issue.message()));
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
