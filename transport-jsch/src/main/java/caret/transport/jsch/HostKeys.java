package caret.transport.jsch;

import caret.spi.ConnectionSettings;
import caret.spi.HostKey;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;

import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * JSch's {@link HostKeyRepository}, reduced to one question for the settings'
 * {@link caret.spi.HostKeyVerifier}: JSch asks {@link #check} with the key blob during key
 * exchange (with {@code StrictHostKeyChecking=yes} it adds nothing and asks nobody). What the
 * verifier threw is kept, so that connect throws exactly that instead of JSch's generic error;
 * known_hosts belongs to the engine.
 */
final class HostKeys implements HostKeyRepository {

    private final ConnectionSettings settings;
    private final AtomicReference<TransportException> failure = new AtomicReference<>();

    HostKeys(ConnectionSettings settings) {
        this.settings = settings;
    }

    Optional<TransportException> failure() {
        return Optional.ofNullable(failure.get());
    }

    @Override
    public int check(String host, byte[] key) {
        try {
            settings.hostKeys().verify(settings.server(), new HostKey(type(key), key));
            return OK;
        } catch (TransportException e) {
            failure.compareAndSet(null, e);
        } catch (RuntimeException e) {
            failure.compareAndSet(null, new TransportException(Reason.HOST_KEY_UNKNOWN,
                    "Cannot check the host key of " + settings.server() + ": " + Connector.describe(e), e));
        }
        return NOT_INCLUDED;
    }

    /** The key type is the blob's first string (RFC 4253 6.6). */
    static String type(byte[] blob) {
        if (blob.length < 4) {
            return "unknown";
        }
        int length = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (length <= 0 || length > blob.length - 4) {
            return "unknown";
        }
        return new String(blob, 4, length, StandardCharsets.US_ASCII);
    }

    @Override
    public void add(com.jcraft.jsch.HostKey hostkey, UserInfo ui) {
        // The engine owns known_hosts.
    }

    @Override
    public void remove(String host, String type) {
        // The engine owns known_hosts.
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        // The engine owns known_hosts.
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return "caret";
    }

    @Override
    public com.jcraft.jsch.HostKey[] getHostKey() {
        return new com.jcraft.jsch.HostKey[0];
    }

    @Override
    public com.jcraft.jsch.HostKey[] getHostKey(String host, String type) {
        return new com.jcraft.jsch.HostKey[0];
    }
}
