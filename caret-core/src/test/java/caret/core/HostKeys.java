package caret.core;

import caret.spi.HostKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Real host keys in SSH wire format, made with the JDK, and the OpenSSH texts derived from them. */
final class HostKeys {

    private HostKeys() {
    }

    /** A fresh ed25519 key: {@code string "ssh-ed25519", string key} (RFC 8709). */
    static HostKey ed25519() {
        try {
            byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
            return new HostKey("ssh-ed25519", wire("ssh-ed25519".getBytes(StandardCharsets.US_ASCII), raw));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh nistp256 key: {@code string type, string "nistp256", string Q} (RFC 5656). */
    static HostKey ecdsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            ECPublicKey key = (ECPublicKey) generator.generateKeyPair().getPublic();
            byte[] q = new byte[65];
            q[0] = 4;
            unsigned(key.getW().getAffineX().toByteArray(), q, 1);
            unsigned(key.getW().getAffineY().toByteArray(), q, 33);
            String type = "ecdsa-sha2-nistp256";
            return new HostKey(type, wire(type.getBytes(StandardCharsets.US_ASCII),
                    "nistp256".getBytes(StandardCharsets.US_ASCII), q));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fingerprint as {@code ssh-keygen -lf} prints it: SHA256 of the blob, unpadded base64. */
    static String fingerprint(HostKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.blob());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A host name hashed as OpenSSH's {@code HashKnownHosts} does: {@code |1|base64(salt)|base64(HMAC-SHA1(salt, name))}. */
    static String hashed(String name, String saltHex) {
        try {
            byte[] salt = HexFormat.of().parseHex(saltHex);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
            return "|1|" + Base64.getEncoder().encodeToString(salt) + "|" + Base64.getEncoder().encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs an OpenSSH tool and returns its standard output, or {@code null} when it is not installed. */
    static String run(Path folder, List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(folder.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return null;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + exit + ": " + output);
        }
        return output;
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unsigned(byte[] twosComplement, byte[] into, int at) {
        int skip = twosComplement.length > 32 ? twosComplement.length - 32 : 0;
        int length = twosComplement.length - skip;
        System.arraycopy(twosComplement, skip, into, at + 32 - length, length);
    }

    private static byte[] wire(byte[]... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] s : strings) {
            out.write(s.length >>> 24);
            out.write(s.length >>> 16);
            out.write(s.length >>> 8);
            out.write(s.length);
            out.writeBytes(s);
        }
        return out.toByteArray();
    }
}
