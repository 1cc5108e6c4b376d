package caret.transport.sshd;

import java.time.Duration;
import java.util.List;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientUserAuthServiceFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's one MINA {@link SshClient}, counted by the connections that use it: started by
 * the first {@link #acquire()}, stopped by the last {@link #release}. Everything per connection
 * (settings, host key check, keepalive) travels in the session's connection context, see
 * {@link SshdConnection#of}. It runs sessions over TCP and, through a jump host, inside a channel of
 * another session ({@link TunnellingClient}).
 */
final class SharedClient {

    private static final Logger log = LoggerFactory.getLogger(SharedClient.class);

    /** "Block while the window is full" has no end in the SPI; MINA wants a finite wait. */
    private static final Duration WINDOW_WAIT = Duration.ofDays(365L * 100);

    /**
     * The local window of every channel: how much unread data MINA may hold in the heap per channel
     * (in its ChannelInput) before the server must wait. 2 MiB, as OpenSSH: on a long path one channel's
     * download is capped at window / round trip (40 MB/s at 50 ms; 10 MB/s with 512 KiB). Through
     * 127.0.0.1 (aes128-gcm, JDK 25, 2 cores, median of 8, a loaded machine) 512 KiB, 1 MiB and
     * 2 MiB measured alike (540, 480, 437 MB/s down). The cost is heap: each channel whose
     * application stops reading holds up to 2 MiB, so the launcher's 512 MiB heap cap takes about
     * 250 such channels at once.
     */
    static final long LOCAL_WINDOW = 2 * 1024 * 1024;

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
                .factory(TunnellingClient::new)
                .serverKeyVerifier((session, remote, key) -> SshdConnection.of(session).verifyHostKey(key))
                .hostConfigEntryResolver(HostConfigEntryResolver.EMPTY)
                .channelFactories(List.of(ForwardedChannel.FACTORY))
                .cipherFactories(CipherOrder.forThisMachine())
                .keyExchangeFactories(EarlyKeys.factories())
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
        CoreModuleProperties.WINDOW_SIZE.set(client, LOCAL_WINDOW);
        // Keys are renewed by the cipher's block count, as OpenSSH does (RFC 4344: 2^32 blocks of
        // AES, 1 GiB of chacha20-poly1305), not also after every GiB whatever the cipher: a key
        // exchange pauses every channel for a round trip and a post-quantum key pair.
        CoreModuleProperties.REKEY_BYTES_LIMIT.set(client, 0L);
        return client;
    }
}
