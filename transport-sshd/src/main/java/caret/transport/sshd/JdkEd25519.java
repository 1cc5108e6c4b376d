package caret.transport.sshd;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.KeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;

import org.apache.sshd.common.config.keys.PrivateKeyEntryDecoder;
import org.apache.sshd.common.config.keys.PublicKeyEntryDecoder;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.security.SecurityProviderRegistrar;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSASupport;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSAUtils;
import org.apache.sshd.common.util.security.eddsa.generic.GenericEd25519PublicKeyDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericOpenSSHEd25519PrivateKeyEntryDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericSignatureEd25519;

/**
 * ed25519 keys and signatures with the JDK's own implementation (SunEC), for MINA, which in 2.20 has
 * them only through Bouncy Castle's JCA provider (or net.i2p's). Registering that provider built all
 * of it, about a thousand classes and their algorithm tables: 150 to 200 ms of start-up and 25 to
 * 40 MiB of resident memory (a client with forwards up, one second after start: 120 MiB with it and
 * 95 without, with the start-up cache trained as it was then; 115 and 77 with the cache trained on
 * the command line, as now), for ed25519 alone. So {@link #install()} registers this support with MINA under the name MINA gives
 * ed25519 support ({@code EdDSA}), and turns off MINA's registration of the Bouncy Castle provider
 * unless the system property {@value #BOUNCY_CASTLE_ENABLED} says otherwise. Everything else then
 * comes from the JDK's providers; Bouncy Castle's classes stay on the module path for what MINA
 * calls directly (the post-quantum key exchanges).
 *
 * <p>The same construction as MINA's own {@code BouncyCastleEdDSASupport}, over the JDK's key
 * types: raw keys to and from their X.509 and PKCS#8 encodings with MINA's {@link EdDSAUtils}.
 */
final class JdkEd25519 implements EdDSASupport<EdECPublicKey, EdECPrivateKey> {

    /** MINA's switch for its Bouncy Castle registration. */
    static final String BOUNCY_CASTLE_ENABLED = "org.apache.sshd.security.provider.BC.enabled";

    private static boolean installed;

    private JdkEd25519() {
    }

    /**
     * Makes MINA use the JDK for ed25519. Must run before MINA first looks for ed25519 support: its
     * key decoders and signature factories decide once, in their static initializers.
     */
    static synchronized void install() {
        if (installed) {
            return;
        }
        if (System.getProperty(BOUNCY_CASTLE_ENABLED) == null) {
            System.setProperty(BOUNCY_CASTLE_ENABLED, "false");
        }
        SecurityUtils.registerSecurityProvider(new Registrar());
        installed = true;
    }

    @Override
    public PublicKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getEDDSAPublicKeyEntryDecoder() {
        return new GenericEd25519PublicKeyDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this);
    }

    @Override
    public PrivateKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getOpenSSHEDDSAPrivateKeyEntryDecoder() {
        return new GenericOpenSSHEd25519PrivateKeyEntryDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this);
    }

    @Override
    public Signature getEDDSASigner() {
        return new GenericSignatureEd25519(SecurityUtils.EDDSA);
    }

    @Override
    public int getEDDSAKeySize(Key key) {
        return isEd25519(key) ? KEY_SIZE : -1;
    }

    @Override
    public Class<EdECPublicKey> getEDDSAPublicKeyType() {
        return EdECPublicKey.class;
    }

    @Override
    public Class<EdECPrivateKey> getEDDSAPrivateKeyType() {
        return EdECPrivateKey.class;
    }

    /** By their raw bytes: equal keys from two providers (the JDK's, Bouncy Castle's) are equal. */
    @Override
    public boolean compareEDDSAPPublicKeys(PublicKey k1, PublicKey k2) {
        try {
            return isEd25519(k1) && isEd25519(k2) && MessageDigest.isEqual(EdDSAUtils.getBytes(k1), EdDSAUtils.getBytes(k2));
        } catch (InvalidKeyException notEncodable) {
            return false;
        }
    }

    @Override
    public boolean compareEDDSAPrivateKeys(PrivateKey k1, PrivateKey k2) {
        try {
            return isEd25519(k1) && isEd25519(k2) && MessageDigest.isEqual(EdDSAUtils.getBytes(k1), EdDSAUtils.getBytes(k2));
        } catch (InvalidKeyException notEncodable) {
            return false;
        }
    }

    /**
     * The JDK's ed25519 private key does not give its public key, and the JDK has no call that derives
     * it; its key pair generator does, from the 32 random bytes it draws: so it draws the key's own.
     */
    @Override
    public EdECPublicKey recoverEDDSAPublicKey(PrivateKey key) throws GeneralSecurityException {
        if (!(key instanceof EdECPrivateKey edKey) || !isEd25519(key)) {
            throw new InvalidKeyException("Private key is not " + SecurityUtils.ED25519 + ": " + key.getAlgorithm());
        }
        byte[] seed = edKey.getBytes().orElseThrow(() -> new InvalidKeyException("The ed25519 private key gives no bytes"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance(SecurityUtils.ED25519);
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, bytes.length);
            }
        });
        return (EdECPublicKey) generator.generateKeyPair().getPublic();
    }

    @Override
    public EdECPublicKey generateEDDSAPublicKey(byte[] seed) throws GeneralSecurityException {
        return (EdECPublicKey) keyFactory().generatePublic(EdDSAUtils.createPublicKeySpec(seed));
    }

    @Override
    public EdECPrivateKey generateEDDSAPrivateKey(byte[] seed) throws GeneralSecurityException, IOException {
        return (EdECPrivateKey) keyFactory().generatePrivate(EdDSAUtils.createPrivateKeySpec(seed));
    }

    @Override
    public <B extends Buffer> B putRawEDDSAPublicKey(B buffer, PublicKey key) {
        if (!(key instanceof EdECPublicKey edKey)) {
            throw new IllegalArgumentException("Not an ed25519 public key: " + key);
        }
        buffer.putBytes(getPublicKeyData(edKey));
        return buffer;
    }

    /** As MINA's own supports: writing ed25519 key pairs in its buffers is not implemented there either. */
    @Override
    public <B extends Buffer> B putEDDSAKeyPair(B buffer, PublicKey pubKey, PrivateKey prvKey) {
        throw new UnsupportedOperationException("Writing an ed25519 key pair is not supported");
    }

    @Override
    public KeySpec createPublicKeySpec(EdECPublicKey publicKey) {
        return new X509EncodedKeySpec(publicKey.getEncoded());
    }

    @Override
    public KeySpec createPrivateKeySpec(EdECPrivateKey privateKey) {
        return new PKCS8EncodedKeySpec(privateKey.getEncoded());
    }

    @Override
    public byte[] getPublicKeyData(EdECPublicKey publicKey) {
        try {
            return publicKey == null ? null : EdDSAUtils.getBytes(publicKey);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] getPrivateKeyData(EdECPrivateKey privateKey) throws IOException {
        try {
            return EdDSAUtils.getBytes(privateKey);
        } catch (InvalidKeyException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public String getKeyFactoryAlgorithm() {
        return SecurityUtils.ED25519;
    }

    private static KeyFactory keyFactory() throws GeneralSecurityException {
        return KeyFactory.getInstance(SecurityUtils.ED25519);
    }

    private static boolean isEd25519(Key key) {
        return key instanceof EdECKey edKey && NamedParameterSpec.ED25519.getName().equalsIgnoreCase(edKey.getParams().getName());
    }

    /**
     * What MINA registers: the ed25519 support and nothing else, so every algorithm comes from the
     * JDK's providers in their usual order ({@code getSecurityProvider} is only asked for a provider
     * to name).
     */
    private static final class Registrar implements SecurityProviderRegistrar {

        private final EdDSASupport<?, ?> support = new JdkEd25519();

        @Override
        public String getName() {
            return SecurityUtils.EDDSA;
        }

        @Override
        public String getProviderName() {
            return "SunEC";
        }

        @Override
        public Provider getSecurityProvider() {
            return Security.getProvider(getProviderName());
        }

        @Override
        public boolean isNamedProviderUsed() {
            return false;
        }

        @Override
        public boolean isSupported() {
            return getSecurityProvider() != null;
        }

        @Override
        public boolean isSecurityEntitySupported(Class<?> entityType, String name) {
            return false;
        }

        @Override
        public Optional<EdDSASupport<?, ?>> getEdDSASupport() {
            return Optional.of(support);
        }
    }
}
