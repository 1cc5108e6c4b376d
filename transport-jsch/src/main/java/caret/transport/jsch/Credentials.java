package caret.transport.jsch;

import caret.spi.ConnectionSettings;
import caret.spi.IdentityFiles;

import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.UIKeyboardInteractive;
import com.jcraft.jsch.UserInfo;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Vector;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials of one connection attempt, in JSch's terms. As the session's
 * {@link IdentityRepository} it loads the settings' key files when JSch first asks (during
 * authentication, after the host key was accepted) and decrypts an encrypted one itself with the
 * passphrase from the prompt (three tries), so that JSch never prompts and a key without a
 * passphrase is skipped instead of cancelling public key authentication. As {@link UserInfo} and
 * {@link UIKeyboardInteractive} it asks the prompt for the password, once, when the server offers
 * password or keyboard-interactive authentication. Nothing is kept after {@link #forget()}; no
 * secret is logged.
 */
final class Credentials implements IdentityRepository, UserInfo, UIKeyboardInteractive {

    private static final Logger log = LoggerFactory.getLogger(Credentials.class);
    private static final int PASSPHRASE_ATTEMPTS = 3;

    private final ConnectionSettings settings;
    private final JSch jsch;
    private final Map<Path, String> skipped = new LinkedHashMap<>();
    private List<KeyIdentity> identities;
    private String password;
    private boolean passwordAsked;

    Credentials(ConnectionSettings settings, JSch jsch) {
        this.settings = settings;
        this.jsch = jsch;
    }

    @Override
    public synchronized Vector<Identity> getIdentities() {
        if (identities == null) {
            identities = new ArrayList<>();
            for (Path file : settings.identities()) {
                load(file).ifPresent(identities::add);
            }
        }
        return new Vector<>(identities);
    }

    private Optional<KeyIdentity> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return skip(file, "no such file");
        }
        Optional<String> tooOpen = IdentityFiles.tooOpen(file);
        if (tooOpen.isPresent()) {
            return skip(file, tooOpen.get());
        }
        KeyPair pair;
        try {
            pair = KeyPair.load(jsch, file.toString());
        } catch (JSchException | RuntimeException e) {
            return skip(file, Connector.describe(e));
        }
        if (pair.isEncrypted()) {
            boolean decrypted = false;
            for (int attempt = 1; attempt <= PASSPHRASE_ATTEMPTS && !decrypted; attempt++) {
                Optional<char[]> passphrase = settings.prompt().passphrase(file);
                if (passphrase.isEmpty()) {
                    pair.dispose();
                    return skip(file, "it is encrypted and no passphrase was given");
                }
                byte[] bytes = utf8AndWipe(passphrase.get());
                try {
                    decrypted = pair.decrypt(bytes);
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
                if (!decrypted) {
                    log.warn("Wrong passphrase for {} (attempt {} of {})", file, attempt, PASSPHRASE_ATTEMPTS);
                }
            }
            if (!decrypted) {
                pair.dispose();
                return skip(file, "wrong passphrase");
            }
        }
        return Optional.of(new KeyIdentity(file, pair));
    }

    private Optional<KeyIdentity> skip(Path file, String why) {
        skipped.put(file, why);
        log.warn("Identity {} skipped: {}", file, why);
        return Optional.empty();
    }

    /** Drops keys and password once authentication is over. */
    synchronized void forget() {
        if (identities != null) {
            identities.forEach(KeyIdentity::clear);
            identities = List.of();
        }
        password = null;
    }

    /** What was offered, for "Permission denied" messages: key files, skipped ones with why, a password. */
    synchronized String describeOffered() {
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
        if (passwordAsked && password != null) {
            parts.add("the password was refused");
        }
        return parts.stream().collect(Collectors.joining("; "));
    }

    private synchronized String askPassword() {
        if (!passwordAsked) {
            passwordAsked = true;
            password = settings.prompt().password(settings.user(), settings.server())
                    .map(Credentials::stringAndWipe).orElse(null);
        }
        return password;
    }

    // --- UserInfo

    @Override
    public String getPassphrase() {
        return null; // keys are decrypted before JSch sees them
    }

    @Override
    public boolean promptPassphrase(String message) {
        return false;
    }

    @Override
    public String getPassword() {
        return password;
    }

    @Override
    public boolean promptPassword(String message) {
        return askPassword() != null;
    }

    @Override
    public boolean promptYesNo(String message) {
        return false; // host keys are decided by the settings' verifier, never here
    }

    @Override
    public void showMessage(String message) {
        log.debug("Server {}: {}", settings.server(), message);
    }

    // --- UIKeyboardInteractive: answers a single hidden "Password" prompt, nothing else

    @Override
    public String[] promptKeyboardInteractive(String destination, String name, String instruction, String[] prompt,
            boolean[] echo) {
        if (prompt.length == 0) {
            return new String[0];
        }
        if (prompt.length == 1 && !echo[0] && prompt[0].toLowerCase(Locale.ROOT).contains("password")) {
            String pw = askPassword();
            return pw == null ? null : new String[] {pw};
        }
        return null; // cancel: Caret asks only for passwords
    }

    // --- IdentityRepository, the rest

    @Override
    public String getName() {
        return "caret identities";
    }

    @Override
    public int getStatus() {
        return RUNNING;
    }

    @Override
    public boolean add(byte[] identity) {
        return false;
    }

    @Override
    public boolean remove(byte[] blob) {
        return false;
    }

    @Override
    public void removeAll() {
        // Only the settings' files.
    }

    private static byte[] utf8AndWipe(char[] chars) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
            return bytes;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static String stringAndWipe(char[] chars) {
        try {
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** A decrypted key file as a JSch {@link Identity}. */
    private static final class KeyIdentity implements Identity {
        private final Path file;
        private final KeyPair pair;

        KeyIdentity(Path file, KeyPair pair) {
            this.file = file;
            this.pair = pair;
        }

        @Override
        public boolean setPassphrase(byte[] passphrase) {
            return true;
        }

        @Override
        public byte[] getPublicKeyBlob() {
            return pair.getPublicKeyBlob();
        }

        @Override
        public byte[] getSignature(byte[] data) {
            return pair.getSignature(data);
        }

        @Override
        public byte[] getSignature(byte[] data, String alg) {
            return pair.getSignature(data, alg);
        }

        @Override
        public String getAlgName() {
            return pair.getKeyTypeString();
        }

        @Override
        public String getName() {
            return file.toString();
        }

        @Override
        public boolean isEncrypted() {
            return false;
        }

        @Override
        public void clear() {
            pair.dispose();
        }
    }
}
