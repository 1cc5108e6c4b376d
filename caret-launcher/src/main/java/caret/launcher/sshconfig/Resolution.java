package caret.launcher.sshconfig;

import caret.core.HostKeyPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The values gathered while one host is resolved, in the order the lines apply. Single values keep
 * the first one obtained (ssh's rule); identity files and forwards add up. Used by one thread, for
 * one {@link SshConfig#resolve} call.
 */
final class Resolution {

    /** The host as given on the command line, which {@code Host} lines and {@code %h} in HostName see. */
    final String host;
    final Overrides given;
    final String localUser;

    final First<String> hostName = new First<>();
    final First<Integer> port = new First<>();
    final First<String> user = new First<>();
    final List<Located> identityFiles = new ArrayList<>();
    final First<List<String>> userKnownHostsFiles = new First<>();
    final First<List<String>> globalKnownHostsFiles = new First<>();
    final First<HostKeyPolicy> strictHostKeyChecking = new First<>();
    final First<Duration> serverAliveInterval = new First<>();
    final First<Integer> serverAliveCountMax = new First<>();
    final First<Duration> connectTimeout = new First<>();
    final First<Boolean> batchMode = new First<>();
    final First<Boolean> exitOnForwardFailure = new First<>();
    final List<ConfigForward> forwards = new ArrayList<>();
    /** ProxyCommand: taken as none by {@code ProxyCommand none} or once a jump host was obtained. */
    final First<String> proxyCommand = new First<>();
    /** ProxyJump: empty value for {@code none} or a jump given on the command line. */
    final First<JumpHost> proxyJump = new First<>();
    final List<String> warnings = new ArrayList<>();

    Resolution(String host, Overrides given, String localUser) {
        this.host = host;
        this.given = given;
        this.localUser = localUser;
        if (given.jump()) { // as ssh -J: the command line's jump host, and no ProxyCommand, whatever the file says
            proxyJump.takeNone();
            proxyCommand.takeNone();
        }
    }

    /** The host name as it stands now, for {@code Match host}: HostName so far, with {@code %h}, else the host as given. */
    String currentHostName() {
        return hostName.value().map(name -> Settings.expandHostName(name, host)).orElse(host);
    }

    /** The remote user as it stands now, for {@code Match user}: the command line's, else User so far, else the local user. */
    String currentUser() {
        return given.user().or(user::value).orElse(localUser);
    }

    /**
     * A file name as written on a line, expanded once the host, port and user are final.
     *
     * @param text as written
     * @param origin its line
     */
    record Located(String text, Origin origin) {
    }

    /** A single-valued setting: the first value obtained wins, and {@code none} may be obtained as no value. */
    static final class First<T> {

        private boolean taken;
        private T value;
        private Origin origin;

        /** Takes {@code candidate}, read at {@code origin}, if nothing was obtained yet; returns whether it did. */
        boolean offer(T candidate, Origin origin) {
            if (taken) {
                return false;
            }
            taken = true;
            value = candidate;
            this.origin = origin;
            return true;
        }

        /** Takes "no value" ({@code none}) if nothing was obtained yet: later lines no longer count. */
        void takeNone() {
            taken = true;
        }

        boolean taken() {
            return taken;
        }

        Optional<T> value() {
            return Optional.ofNullable(value);
        }

        /** The line the value came from; absent for none or a value from the command line. */
        Optional<Origin> origin() {
            return Optional.ofNullable(origin);
        }
    }
}
