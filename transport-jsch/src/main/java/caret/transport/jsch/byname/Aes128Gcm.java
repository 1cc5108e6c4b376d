package caret.transport.jsch.byname;

/** {@code aes128-gcm@openssh.com}; instantiated by JSch. */
public final class Aes128Gcm extends AesGcm {

    public Aes128Gcm() {
        super(16);
    }
}
