package caret.transport.sshd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.util.Base64;
import java.util.Iterator;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MINA's ed25519 on the JDK ({@link JdkEd25519}): keys and signatures agree with the JDK's own
 * ed25519. The transport contract ({@link SshdTransportTest}) connects with ed25519 host and user
 * keys (one of them passphrase-protected) to a real OpenSSH sshd.
 */
class JdkEd25519Test {

    @BeforeAll
    static void transportLoaded() {
        new SshdTransport(); // installs it, as loading the transport does
    }

    @Test
    void minaUsesTheJdkForEd25519() {
        assertInstanceOf(JdkEd25519.class, SecurityUtils.getEdDSASupport().orElseThrow());
        assertEquals("false", System.getProperty(JdkEd25519.BOUNCY_CASTLE_ENABLED));
    }

    @Test
    void aPublicKeyGoesToOpenSshTextAndBack() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String line = PublicKeyEntry.toString(pair.getPublic());
        assertTrue(line.startsWith("ssh-ed25519 "), line);
        PublicKey back = PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, null, null);
        assertTrue(KeyUtils.compareKeys(pair.getPublic(), back));
        assertArrayEquals(pair.getPublic().getEncoded(), back.getEncoded());
    }

    @Test
    void aPkcs8KeyFileGetsItsPublicKeyRecovered() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, new PathResource(Path.of("key.pem")),
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)), null);
        Iterator<KeyPair> keys = loaded.iterator();
        KeyPair read = keys.next();
        assertFalse(keys.hasNext());
        assertArrayEquals(pair.getPublic().getEncoded(), read.getPublic().getEncoded());
        assertArrayEquals(pair.getPrivate().getEncoded(), read.getPrivate().getEncoded());
    }

    @Test
    void minasSignatureVerifiesWithTheJdkAndBack() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] data = "exchange hash".getBytes(StandardCharsets.US_ASCII);
        JdkEd25519 support = (JdkEd25519) SecurityUtils.getEdDSASupport().orElseThrow();

        org.apache.sshd.common.signature.Signature mina = support.getEDDSASigner();
        mina.initSigner(null, pair.getPrivate());
        mina.update(null, data);
        byte[] signed = mina.sign(null);
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(pair.getPublic());
        jdk.update(data);
        assertTrue(jdk.verify(signed));

        jdk.initSign(pair.getPrivate());
        jdk.update(data);
        byte[] byJdk = jdk.sign();
        mina.initVerifier(null, pair.getPublic());
        mina.update(null, data);
        assertTrue(mina.verify(null, byJdk));
        byJdk[40] ^= 1; // in S: a changed R may not even decode, and the JDK throws for that
        mina.initVerifier(null, pair.getPublic());
        mina.update(null, data);
        assertFalse(mina.verify(null, byJdk));
    }

    @Test
    void theRecoveredPublicKeyIsTheKeysOwn() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JdkEd25519 support = (JdkEd25519) SecurityUtils.getEdDSASupport().orElseThrow();
        EdECPublicKey recovered = support.recoverEDDSAPublicKey(pair.getPrivate());
        assertArrayEquals(pair.getPublic().getEncoded(), recovered.getEncoded());
    }
}
