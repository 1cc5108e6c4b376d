package caret.spi;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A server's public host key as it travels in SSH: the key type name and the key blob in SSH wire
 * format. The same text stands in a {@code known_hosts} line: {@code type base64(blob)}.
 *
 * @param type the key type, such as {@code ssh-ed25519} or {@code ecdsa-sha2-nistp256}
 * @param blob the public key in SSH wire format (RFC 4253 section 6.6)
 */
@Stable
public record HostKey(String type, byte[] blob) {

    public HostKey {
        Objects.requireNonNull(type, "type");
        blob = blob.clone();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /** The key as it is written in {@code known_hosts} and {@code .pub} files. */
    public String openSshText() {
        return type + " " + Base64.getEncoder().encodeToString(blob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKey k && type.equals(k.type) && Arrays.equals(blob, k.blob);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return type;
    }
}
