package caret.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a transport needs to connect and authenticate. Built by the engine from the user's command
 * line or configuration; a transport reads it and changes nothing.
 *
 * @param server the server to connect to
 * @param user the user to log in as; never blank
 * @param identities private key files to offer, in order; may be empty
 * @param hostKeys decides whether the server's host key is trusted
 * @param prompt asks the user for secrets; {@link CredentialPrompt#NONE} in batch mode
 * @param keepaliveInterval how often to probe an idle server; {@link Duration#ZERO} for never
 * @param keepaliveCountMax unanswered probes after which the connection is given up
 * @param connectTimeout how long to wait for the TCP connection and the SSH handshake
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
        Duration connectTimeout) {

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
    }

    /** Never prints the prompt's secrets: there are none in a record's text. */
    @Override
    public String toString() {
        return user + "@" + server + " identities=" + identities
                + " keepalive=" + keepaliveInterval + "x" + keepaliveCountMax
                + " connectTimeout=" + connectTimeout;
    }
}
