package caret.launcher.config;

import caret.core.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One server of the configuration file and its forwards. {@code null} means the key was left out
 * and the default applies, as documented in {@code docs/configuration.md}.
 *
 * @param name the server's name in the file, unique
 * @param host host name or address to connect to
 * @param port SSH port, 22 unless given
 * @param user user to log in as, or {@code null} for the local user
 * @param identities private key files, {@code ~} expanded, relative paths resolved against the
 *     file's folder; empty for the default keys
 * @param knownHosts known_hosts files, expanded like {@code identities}; empty for the default
 * @param hostKeyPolicy what to do with an unknown host key, or {@code null} for the default
 *     ({@link HostKeyPolicy#ASK})
 * @param keepaliveInterval time between keepalives ({@link Duration#ZERO} = none), or {@code null}
 *     for the default
 * @param keepaliveCountMax unanswered keepalives before the connection counts as lost, or
 *     {@code null} for the default
 * @param connectTimeout how long to wait for the server, or {@code null} for the default
 * @param transport id of the SSH transport, or {@code null} for the default ({@code sshd})
 * @param proxyJump one jump host as {@code [user@]host[:port]}, or {@code null} for none
 * @param onEvent the command for this server's forward events, or {@code null} to use the file's
 * @param forwards the server's forwards in file order; names are unique
 */
public record ServerConfig(String name, String host, int port, String user, List<Path> identities,
        List<Path> knownHosts, HostKeyPolicy hostKeyPolicy, Duration keepaliveInterval,
        Integer keepaliveCountMax, Duration connectTimeout, String transport,
        String proxyJump, String onEvent, List<ForwardConfig> forwards) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        identities = List.copyOf(identities);
        knownHosts = List.copyOf(knownHosts);
        forwards = List.copyOf(forwards);
    }
}
