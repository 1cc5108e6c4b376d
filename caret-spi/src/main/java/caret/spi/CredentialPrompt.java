package caret.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Asks the user for a secret. A transport calls it only when it needs one, and must neither log
 * nor keep what it returns longer than the authentication that needed it.
 */
@Experimental
public interface CredentialPrompt {

    /** A prompt that never asks: for batch mode and for tests. */
    CredentialPrompt NONE = new CredentialPrompt() {
        @Override
        public Optional<char[]> passphrase(Path keyFile) {
            return Optional.empty();
        }

        @Override
        public Optional<char[]> password(String user, Endpoint server) {
            return Optional.empty();
        }
    };

    /** The passphrase of an encrypted private key file; empty when the user gives none. */
    Optional<char[]> passphrase(Path keyFile);

    /** The user's password on the server; empty when the user gives none. */
    Optional<char[]> password(String user, Endpoint server);
}
