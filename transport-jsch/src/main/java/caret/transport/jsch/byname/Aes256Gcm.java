package caret.transport.jsch.byname;

/** {@code aes256-gcm@openssh.com}; instantiated by JSch. */
public final class Aes256Gcm extends AesGcm {

    public Aes256Gcm() {
        super(32);
    }
}
