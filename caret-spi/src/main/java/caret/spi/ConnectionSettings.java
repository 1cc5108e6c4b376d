package caret.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a transport needs to connect and authenticate. Built by the engine from the user's command
 * line or configuration; a transport reads it and changes nothing.
 *
 * <p>With a {@link #jump} (OpenSSH's {@code ProxyJump}, {@code ssh -J}) the transport first
 * connects to the jump host with the jump's own settings, exactly as it would connect to it
 * directly (its host key checked by its verifier against its own name, its own user and keys),
 * then asks the jump host for a {@code direct-tcpip} channel to {@link #server} and runs this
 * connection's SSH session inside that channel. The server's name is resolved by the jump host,
 * and its host key is checked by {@link #hostKeys} against {@link #server} as the user named it,
 * never against the jump host. Exactly one hop: a jump with a jump of its own is refused.
 *
 * @param server the server to connect to; with a jump, as the jump host reaches it
 * @param user the user to log in as; never blank
 * @param identities private key files to offer, in order; may be empty
 * @param hostKeys decides whether the server's host key is trusted
 * @param prompt asks the user for secrets; {@link CredentialPrompt#NONE} in batch mode
 * @param keepaliveInterval how often to probe an idle server; {@link Duration#ZERO} for never
 * @param keepaliveCountMax unanswered probes after which the connection is given up
 * @param connectTimeout how long to wait for the TCP connection and the SSH handshake (with a
 *     jump: for the jump host to open the channel, and for the handshake through it)
 * @param jump the jump host's own settings, or {@code null} to connect directly; it must have no
 *     jump itself
 */
@Experimental
public record ConnectionSettings(
        Endpoint server,
        String user,
        List<Path> identities,
        HostKeyVerifier hostKeys,
        CredentialPrompt prompt,
        Duration keepaliveInterval,
        int keepaliveCountMax,
        Duration connectTimeout,
        ConnectionSettings jump) {

    /**
     * @throws IllegalArgumentException for a blank user, a negative keepalive interval, a count
     *     below 1, a connect timeout that is not positive, or a jump that has a jump of its own
     */
    public ConnectionSettings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(user, "user");
        if (user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        identities = List.copyOf(identities);
        Objects.requireNonNull(hostKeys, "hostKeys");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
        if (keepaliveInterval.isNegative()) {
            throw new IllegalArgumentException("keepaliveInterval must not be negative");
        }
        if (keepaliveCountMax < 1) {
            throw new IllegalArgumentException("keepaliveCountMax must be at least 1");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive");
        }
        if (jump != null && jump.jump() != null) {
            throw new IllegalArgumentException("Only one jump host is supported: " + jump.user() + "@" + jump.server()
                    + " has a jump host of its own (" + jump.jump().user() + "@" + jump.jump().server() + ")");
        }
    }

    /** Settings for a direct connection, without a jump host. */
    public ConnectionSettings(
            Endpoint server,
            String user,
            List<Path> identities,
            HostKeyVerifier hostKeys,
            CredentialPrompt prompt,
            Duration keepaliveInterval,
            int keepaliveCountMax,
            Duration connectTimeout) {
        this(server, user, identities, hostKeys, prompt, keepaliveInterval, keepaliveCountMax, connectTimeout, null);
    }

    /** The jump host's settings; empty for a direct connection. */
    public Optional<ConnectionSettings> jumpHost() {
        return Optional.ofNullable(jump);
    }

    /**
     * The same settings, reached through {@code jump}; {@code null} for a direct connection.
     *
     * @throws IllegalArgumentException when {@code jump} has a jump of its own
     */
    public ConnectionSettings withJump(ConnectionSettings jump) {
        return new ConnectionSettings(server, user, identities, hostKeys, prompt, keepaliveInterval, keepaliveCountMax,
                connectTimeout, jump);
    }

    /**
     * {@code user@server}, {@code via user@jump} when there is a jump, then identities and timers.
     * Never prints the prompt's secrets: there are none in a record's text.
     */
    @Override
    public String toString() {
        return user + "@" + server + (jump == null ? "" : " via " + jump.user() + "@" + jump.server())
                + " identities=" + identities
                + " keepalive=" + keepaliveInterval + "x" + keepaliveCountMax
                + " connectTimeout=" + connectTimeout;
    }
}
