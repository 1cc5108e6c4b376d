package caret.launcher.sshconfig;

import caret.launcher.sshconfig.Directive.Criterion;
import caret.launcher.sshconfig.Directive.HostBlock;
import caret.launcher.sshconfig.Directive.IncludedFile;
import caret.launcher.sshconfig.Directive.MatchBlock;
import caret.launcher.sshconfig.Directive.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenSSH client configuration (ssh_config(5)), read as ssh reads it, for the keywords Caret
 * honours: Host, Match, Include, HostName, Port, User, IdentityFile, UserKnownHostsFile,
 * GlobalKnownHostsFile, StrictHostKeyChecking, ServerAliveInterval, ServerAliveCountMax,
 * ConnectTimeout, BatchMode, IdentitiesOnly, LocalForward, RemoteForward, DynamicForward,
 * ExitOnForwardFailure, ProxyJump (one jump host) and ProxyCommand (only {@code none}). Other
 * keywords are ignored (logged at debug), so one file serves ssh and Caret.
 *
 * <pre>{@code
 * HostEntry db = SshConfig.read(Path.of("cfg")).resolve("mydb", Overrides.none());
 * }</pre>
 *
 * Names are only matched as text, never resolved. Immutable once read.
 */
public final class SshConfig {

    private static final Logger log = LoggerFactory.getLogger(SshConfig.class);

    private final List<Directive> directives;
    private final Path home;
    private final String localUser;

    private SshConfig(List<Directive> directives, Path home, String localUser) {
        this.directives = List.copyOf(directives);
        this.home = home;
        this.localUser = localUser;
    }

    /** No configuration: {@code -F none}, or no {@code ~/.ssh/config}. */
    public static SshConfig empty() {
        return new SshConfig(List.of(), home(), localUser());
    }

    /**
     * Reads a file named with {@code -F}, and the files it includes (relative to {@code ~/.ssh}, as
     * ssh does for user configurations).
     *
     * @throws SshConfigException when the file cannot be read or a line is bad
     */
    public static SshConfig read(Path file) throws SshConfigException {
        return read(file, home(), localUser());
    }

    /**
     * Reads {@code ~/.ssh/config} when it exists ({@code user.home}), as ssh does without {@code -F};
     * it must belong to the user or root and be writable by no one else. The system-wide
     * {@code /etc/ssh/ssh_config} is not read: its settings are meant for ssh.
     *
     * @throws SshConfigException when the file cannot be read, has bad permissions, or a line is bad
     */
    public static SshConfig readUserConfig() throws SshConfigException {
        return readUserConfig(home(), localUser());
    }

    static SshConfig read(Path file, Path home, String localUser) throws SshConfigException {
        return new SshConfig(new ConfigReader(home, localUser).read(file, false, 0), home, localUser);
    }

    static SshConfig readUserConfig(Path home, String localUser) throws SshConfigException {
        Path file = home.resolve(".ssh").resolve("config");
        if (!Files.exists(file)) {
            return new SshConfig(List.of(), home, localUser);
        }
        return new SshConfig(new ConfigReader(home, localUser).read(file, true, 0), home, localUser);
    }

    /**
     * What the configuration says for {@code host}, after what the command line gave.
     *
     * @param host the host as given on the command line: an alias, a name or an address
     * @param given what the command line already decided, which wins over every file
     * @throws SshConfigException when a line that applies cannot be honoured (ProxyCommand, a
     *     ProxyJump chain, a Unix socket or dynamic remote forward, a file name token Caret does
     *     not expand), naming the line
     */
    public HostEntry resolve(String host, Overrides given) throws SshConfigException {
        Objects.requireNonNull(host, "host");
        Resolution resolution = new Resolution(host, given, localUser);
        apply(directives, resolution);
        return entry(resolution);
    }

    /** Applies one file's lines: a file starts in the block of the line that included it, and its blocks end with it. */
    private static void apply(List<Directive> directives, Resolution resolution) throws SshConfigException {
        boolean active = true;
        for (Directive directive : directives) {
            switch (directive) {
                case HostBlock block -> {
                    active = block.matches(resolution.host);
                    logBlock(block, active, resolution);
                }
                case MatchBlock block -> {
                    active = matches(block, resolution);
                    logBlock(block, active, resolution);
                }
                case IncludedFile file -> {
                    if (active) {
                        log.debug("{}: reading {} for {}", file.origin(), file.file(), resolution.host);
                        apply(file.directives(), resolution);
                    }
                }
                case Setting setting -> {
                    if (active) {
                        setting.effect().apply(resolution);
                    }
                }
            }
        }
    }

    private static void logBlock(Directive block, boolean active, Resolution resolution) {
        if (active) {
            log.debug("{}: applying options for {}", block.origin(), resolution.host);
        }
    }

    /**
     * All criteria must hold. Caret evaluates all, host, originalhost, user and localuser; a block
     * that depends on another criterion (exec, canonical, final, localnetwork, tagged…) is skipped
     * with a warning naming its line.
     */
    private static boolean matches(MatchBlock block, Resolution resolution) {
        List<String> unknown = new ArrayList<>();
        for (Criterion criterion : block.criteria()) {
            Optional<Boolean> holds = switch (criterion.name()) {
                case "all" -> Optional.of(true);
                case "host" -> Optional.of(Patterns.matchesList(resolution.currentHostName(), criterion.argument(), true));
                case "originalhost" -> Optional.of(Patterns.matchesList(resolution.host, criterion.argument(), true));
                case "user" -> Optional.of(Patterns.matchesList(resolution.currentUser(), criterion.argument(), false));
                case "localuser" -> Optional.of(Patterns.matchesList(resolution.localUser, criterion.argument(), false));
                default -> Optional.empty();
            };
            if (holds.isEmpty()) {
                unknown.add(criterion.name());
            } else if (holds.get() == criterion.negated()) {
                return false;
            }
        }
        if (!unknown.isEmpty()) {
            resolution.warnings.add(block.origin() + ": Match " + String.join(", ", unknown) + " cannot be evaluated by Caret,"
                    + " so this block is skipped; if it should apply to " + resolution.host + ", use Host or Match host");
            return false;
        }
        return true;
    }

    private HostEntry entry(Resolution r) throws SshConfigException {
        String hostName = r.currentHostName();
        if (hostName.indexOf(':') < 0) { // as ssh.c: a name in lower case, an IPv6 address as written
            hostName = hostName.toLowerCase(Locale.ROOT);
        }
        int port = r.given.port().or(r.port::value).orElse(22);
        String user = r.currentUser();
        Tokens tokens = new Tokens(hostName, port, user, localUser, r.host, home);
        Optional<List<Path>> identityFiles = Optional.empty();
        if (!r.identityFiles.isEmpty()) {
            List<Path> paths = new ArrayList<>();
            for (Resolution.Located file : r.identityFiles) {
                if (!file.text().equalsIgnoreCase("none")) {
                    paths.add(path(file.text(), file.origin(), "IdentityFile", tokens));
                }
            }
            identityFiles = Optional.of(paths);
        }
        return new HostEntry(hostName, port, user, tokens, identityFiles,
                files(r.userKnownHostsFiles, "UserKnownHostsFile", tokens),
                files(r.globalKnownHostsFiles, "GlobalKnownHostsFile", tokens),
                r.strictHostKeyChecking.value(), r.serverAliveInterval.value(), r.serverAliveCountMax.value(),
                r.connectTimeout.value(), r.batchMode.value(), r.exitOnForwardFailure.value(), r.forwards,
                r.proxyJump.value(), r.warnings);
    }

    private static Optional<List<Path>> files(Resolution.First<List<String>> files, String keyword, Tokens tokens)
            throws SshConfigException {
        if (files.value().isEmpty()) {
            return Optional.empty();
        }
        List<String> names = files.value().get();
        if (names.size() == 1 && names.getFirst().equalsIgnoreCase("none")) {
            return Optional.of(List.of());
        }
        List<Path> paths = new ArrayList<>();
        for (String name : names) {
            paths.add(path(name, files.origin().orElseThrow(), keyword, tokens));
        }
        return Optional.of(paths);
    }

    private static Path path(String text, Origin origin, String keyword, Tokens tokens) throws SshConfigException {
        try {
            return tokens.path(text);
        } catch (IllegalArgumentException e) {
            throw new SshConfigException(origin, keyword + " " + e.getMessage());
        }
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    private static String localUser() {
        return System.getProperty("user.name");
    }
}
