package caret.transport.sshd;

import caret.spi.ConnectionSettings;
import caret.spi.IdentityFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials of one connection attempt: the key files of the settings, loaded when MINA first
 * needs them (asking for a passphrase only for an encrypted one), and the password, asked for only
 * when the server offers password or keyboard-interactive authentication. Nothing is kept after
 * {@link #forget}.
 */
final class Identities {

    private static final Logger log = LoggerFactory.getLogger(Identities.class);
    private static final int PASSPHRASE_ATTEMPTS = 3;

    private final ConnectionSettings settings;
    private final ConnectDeadline deadline;
    private final Map<Path, List<KeyPair>> loaded = new ConcurrentHashMap<>();
    private final Map<Path, String> skipped = new ConcurrentHashMap<>();
    private volatile List<String> password;

    /** @param deadline the connect timeout, stopped while the prompt asks the user */
    Identities(ConnectionSettings settings, ConnectDeadline deadline) {
        this.settings = settings;
        this.deadline = deadline;
    }

    KeyIdentityProvider keys() {
        return session -> () -> settings.identities().stream()
                .flatMap(file -> load(session, file).stream())
                .iterator();
    }

    PasswordIdentityProvider passwords() {
        return session -> askPassword();
    }

    /** Drops keys and password once authentication is over. */
    void forget(ClientSession session) {
        session.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        session.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
        loaded.clear();
        password = null;
    }

    /** What was offered, for "Permission denied" messages: key files, skipped ones with why, a password. */
    String describeOffered() {
        List<String> parts = new ArrayList<>();
        List<Path> files = settings.identities();
        if (files.isEmpty()) {
            parts.add("no key file was given");
        } else {
            List<String> used = files.stream().filter(f -> !skipped.containsKey(f)).map(Path::toString).toList();
            if (!used.isEmpty()) {
                parts.add("the server accepted none of the keys offered (" + String.join(", ", used) + ")");
            }
            skipped.forEach((file, why) -> parts.add(file + " was not offered: " + why));
        }
        List<String> pw = password;
        if (pw != null && !pw.isEmpty()) {
            parts.add("the password was refused");
        }
        return parts.stream().collect(Collectors.joining("; "));
    }

    /** The key files MINA has taken keys from so far, in order, for messages. */
    String describeTried() {
        List<String> tried = settings.identities().stream()
                .filter(f -> !loaded.getOrDefault(f, List.of()).isEmpty())
                .map(Path::toString)
                .toList();
        return tried.isEmpty() ? "none" : String.join(", ", tried);
    }

    private List<KeyPair> load(SessionContext session, Path file) {
        return loaded.computeIfAbsent(file, f -> {
            Optional<String> tooOpen = IdentityFiles.tooOpen(f);
            if (tooOpen.isPresent()) {
                skip(f, tooOpen.get());
                return List.of();
            }
            try (InputStream in = Files.newInputStream(f)) {
                List<KeyPair> keys = new ArrayList<>();
                Iterable<KeyPair> found = SecurityUtils.loadKeyPairIdentities(session, new PathResource(f), in,
                        new Passphrase(f));
                if (found != null) {
                    found.forEach(keys::add);
                }
                if (keys.isEmpty()) {
                    skip(f, "it holds no key this client can use");
                }
                return keys;
            } catch (NoSuchFileException e) {
                skip(f, "no such file");
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                skip(f, Connector.describe(e));
            }
            return List.of();
        });
    }

    private void skip(Path file, String why) {
        skipped.put(file, why);
        log.warn("Identity {} skipped: {}", file, why);
    }

    private List<String> askPassword() {
        List<String> pw = password;
        if (pw == null) {
            synchronized (this) {
                pw = password;
                if (pw == null) {
                    Optional<char[]> chars;
                    deadline.pause();
                    try {
                        chars = settings.prompt().password(settings.user(), settings.server());
                    } finally {
                        deadline.resume();
                    }
                    pw = chars.map(Identities::toStringAndWipe).map(List::of).orElse(List.of());
                    password = pw;
                }
            }
        }
        return pw;
    }

    private static String toStringAndWipe(char[] chars) {
        try {
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Asks the prompt for an encrypted key's passphrase; up to three tries, then the key is skipped. */
    private final class Passphrase implements FilePasswordProvider {
        private final Path file;

        Passphrase(Path file) {
            this.file = file;
        }

        @Override
        public String getPassword(SessionContext session, NamedResource resourceKey, int retryIndex) {
            Optional<char[]> chars;
            deadline.pause();
            try {
                chars = settings.prompt().passphrase(file);
            } finally {
                deadline.resume();
            }
            return chars.map(Identities::toStringAndWipe).orElse(null);
        }

        @Override
        public ResourceDecodeResult handleDecodeAttemptResult(SessionContext session, NamedResource resourceKey,
                int retryIndex, String passphrase, Exception err) {
            if (err == null) {
                return ResourceDecodeResult.TERMINATE;
            }
            log.warn("Wrong passphrase for {} (attempt {} of {})", file, retryIndex + 1, PASSPHRASE_ATTEMPTS);
            return retryIndex + 1 < PASSPHRASE_ATTEMPTS ? ResourceDecodeResult.RETRY : ResourceDecodeResult.TERMINATE;
        }
    }
}
