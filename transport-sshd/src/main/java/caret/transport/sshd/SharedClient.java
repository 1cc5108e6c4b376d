package caret.transport.sshd;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientUserAuthServiceFactory;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's one MINA {@link SshClient}, counted by the connections that use it: started by
 * the first {@link #acquire()}, stopped by the last {@link #release}. Everything per connection
 * (settings, host key check, keepalive) travels in the session's connection context, see
 * {@link SshdConnection#of}.
 */
final class SharedClient {

    private static final Logger log = LoggerFactory.getLogger(SharedClient.class);

    /** "Block while the window is full" has no end in the SPI; MINA wants a finite wait. */
    private static final Duration WINDOW_WAIT = Duration.ofDays(365L * 100);

    private SshClient client;
    private int users;

    synchronized SshClient acquire() {
        if (client == null) {
            client = create();
            client.start();
            log.debug("MINA SSH client started");
        }
        users++;
        return client;
    }

    /**
     * Gives back what {@link #acquire()} returned; stops the client when nobody uses it any more.
     * Blocks until its threads have ended, so it must not run on one of them.
     */
    void release(SshClient used) {
        SshClient toStop = null;
        synchronized (this) {
            if (used == client && --users == 0) {
                toStop = client;
                client = null;
            }
        }
        if (toStop != null) {
            toStop.stop();
            log.debug("MINA SSH client stopped");
        }
    }

    private static SshClient create() {
        SshClient client = ClientBuilder.builder()
                .serverKeyVerifier((session, remote, key) -> SshdConnection.of(session).verifyHostKey(key))
                .hostConfigEntryResolver(HostConfigEntryResolver.EMPTY)
                .channelFactories(List.of(ForwardedChannel.FACTORY))
                .cipherFactories(ciphers())
                .build();
        client.setServiceFactories(List.of(ClientUserAuthServiceFactory.INSTANCE, new KeepaliveServiceFactory()));
        // Only what ConnectionSettings names: no ~/.ssh defaults, no agent.
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
        client.addSessionListener(SshdConnection.SESSION_EVENTS);
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        // A forward may sit idle for hours; keepalive, not an idle timer, decides when it is dead.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(client, WINDOW_WAIT);
        return client;
    }

    /**
     * MINA's defaults, but AES-GCM first: the JDK runs it with AES-NI intrinsics, while MINA's
     * chacha20-poly1305 (its default first choice) is pure Java and several times slower.
     */
    private static List<NamedFactory<Cipher>> ciphers() {
        return Stream.of(
                        BuiltinCiphers.aes128gcm,
                        BuiltinCiphers.aes256gcm,
                        BuiltinCiphers.cc20p1305_openssh,
                        BuiltinCiphers.aes128ctr,
                        BuiltinCiphers.aes192ctr,
                        BuiltinCiphers.aes256ctr)
                .filter(BuiltinCiphers::isSupported)
                .<NamedFactory<Cipher>>map(c -> c)
                .toList();
    }
}
