package caret.launcher.sshconfig;

import caret.core.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the configuration says about one host, after {@link Overrides} from the command line:
 * where to connect and as whom (final values), and the settings the files gave (empty when no line
 * applied, for the caller to take its {@code -o} value or its default). File names are expanded
 * ({@code ~}, {@code %h} and the other {@link Tokens}).
 *
 * @param hostName the host to connect to: HostName ({@code %h} expanded), else the host as given; a
 *     name in lower case, as ssh
 * @param port the command line's port, else Port, else 22
 * @param user the command line's user, else User, else the local user
 * @param tokens what {@code %h}, {@code %p}, {@code %r}… stand for on this connection, to expand
 *     the command line's file names alike
 * @param identityFiles IdentityFile lines in order, without {@code none}; empty when there were none
 *     (then the default keys apply), an empty list when there were only {@code none}
 * @param userKnownHostsFiles UserKnownHostsFile; an empty list for {@code none}
 * @param globalKnownHostsFiles GlobalKnownHostsFile; an empty list for {@code none}
 * @param strictHostKeyChecking StrictHostKeyChecking
 * @param serverAliveInterval ServerAliveInterval
 * @param serverAliveCountMax ServerAliveCountMax
 * @param connectTimeout ConnectTimeout
 * @param batchMode BatchMode
 * @param exitOnForwardFailure ExitOnForwardFailure
 * @param forwards LocalForward, RemoteForward and DynamicForward lines, in file order
 * @param proxyJump the one jump host of ProxyJump; empty for none, or when {@code -J} was given
 * @param warnings what the user should know, each naming its line: a Match block skipped because
 *     Caret cannot evaluate its criteria
 */
public record HostEntry(
        String hostName,
        int port,
        String user,
        Tokens tokens,
        Optional<List<Path>> identityFiles,
        Optional<List<Path>> userKnownHostsFiles,
        Optional<List<Path>> globalKnownHostsFiles,
        Optional<HostKeyPolicy> strictHostKeyChecking,
        Optional<Duration> serverAliveInterval,
        Optional<Integer> serverAliveCountMax,
        Optional<Duration> connectTimeout,
        Optional<Boolean> batchMode,
        Optional<Boolean> exitOnForwardFailure,
        List<ConfigForward> forwards,
        Optional<JumpHost> proxyJump,
        List<String> warnings) {

    public HostEntry {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(tokens, "tokens");
        identityFiles = identityFiles.map(List::copyOf);
        userKnownHostsFiles = userKnownHostsFiles.map(List::copyOf);
        globalKnownHostsFiles = globalKnownHostsFiles.map(List::copyOf);
        Objects.requireNonNull(strictHostKeyChecking, "strictHostKeyChecking");
        Objects.requireNonNull(serverAliveInterval, "serverAliveInterval");
        Objects.requireNonNull(serverAliveCountMax, "serverAliveCountMax");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(batchMode, "batchMode");
        Objects.requireNonNull(exitOnForwardFailure, "exitOnForwardFailure");
        forwards = List.copyOf(forwards);
        Objects.requireNonNull(proxyJump, "proxyJump");
        warnings = List.copyOf(warnings);
    }
}
