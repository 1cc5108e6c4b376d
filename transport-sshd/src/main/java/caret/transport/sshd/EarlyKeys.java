package caret.transport.sshd;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.kex.DHGClient;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.BaseBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.kex.AbstractDH;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.apache.sshd.common.kex.KeyExchange;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.kex.MontgomeryCurve;
import org.apache.sshd.common.kex.XDH;
import org.apache.sshd.common.session.Session;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;

/**
 * The client's ephemeral keys for a connection's first key exchange, generated while the connection
 * is being made. With {@code sntrup761x25519-sha512}, OpenSSH's and MINA's first choice, MINA
 * generates the client's sntrup761 and X25519 key pairs only when the server's KEXINIT has arrived,
 * and Bouncy Castle's sntrup761 generator (polynomial inversions, still interpreted in a fresh JVM)
 * held up a start-up's handshake by 30 to 45 ms. {@link #start()} generates them on a thread of their
 * own as soon as a connection starts, while the client is set up, TCP connects and the server forks
 * and greets; the key exchange then takes them.
 *
 * <p>A pair of keys serves one key exchange only, as MINA's: a re-key, a key exchange through
 * another algorithm's factory, or one whose keys failed to generate makes its own.
 */
final class EarlyKeys {

    /** A connection's early keys, in its session's connection context. */
    static final AttributeKey<EarlyKeys> KEY = new AttributeKey<>();

    private static final SNTRUPrimeParameters SNTRUP761 = SNTRUPrimeParameters.sntrup761;

    /** The sntrup761 key pair and the X25519 key pair. */
    private record Keys(AsymmetricCipherKeyPair sntrup761, KeyPair x25519) {
    }

    private final AtomicReference<FutureTask<Keys>> pending;

    private EarlyKeys(FutureTask<Keys> generating) {
        this.pending = new AtomicReference<>(generating);
    }

    /**
     * Starts generating a connection's first keys, on a daemon thread that ends when they are made;
     * none where sntrup761 is not offered (a JDK in FIPS mode).
     */
    static EarlyKeys start() {
        if (!BuiltinDHFactories.sntrup761x25519.isSupported()) {
            return new EarlyKeys(null);
        }
        FutureTask<Keys> generating = new FutureTask<>(EarlyKeys::generate);
        Thread.ofPlatform().daemon().name("caret-sshd-keys").start(generating);
        return new EarlyKeys(generating);
    }

    /** Whether a key exchange has taken these keys (or there were none). */
    boolean taken() {
        return pending.get() == null;
    }

    /**
     * MINA's key exchanges for a client, in its order of preference, with both names of
     * {@code sntrup761x25519-sha512} taking the session's early keys.
     */
    static List<KeyExchangeFactory> factories() {
        return NamedFactory.setUpTransformedFactories(true, BaseBuilder.DEFAULT_KEX_PREFERENCE,
                factory -> factory == BuiltinDHFactories.sntrup761x25519 || factory == BuiltinDHFactories.sntrup761x25519_openssh
                        ? sntrup761x25519(factory)
                        : ClientBuilder.DH2KEX.apply(factory));
    }

    private static KeyExchangeFactory sntrup761x25519(DHFactory named) {
        return new KeyExchangeFactory() {
            @Override
            public String getName() {
                return named.getName();
            }

            @Override
            public KeyExchange createKeyExchange(Session session) {
                return new DHGClient(named, session) {
                    @Override
                    protected AbstractDH getDH() throws Exception {
                        return new Sntrup761X25519(keysFor(session));
                    }
                };
            }
        };
    }

    /** The session's early keys if it has them and they are not taken yet, else new ones. */
    private static Keys keysFor(Session session) {
        FutureTask<Keys> generating = SshdConnection.inContext(session, KEY).map(early -> early.pending.getAndSet(null)).orElse(null);
        if (generating != null) {
            try {
                return generating.get();
            } catch (ExecutionException e) {
                // generated again below, on this thread, where a failure reaches the session
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return generate();
    }

    private static Keys generate() {
        SNTRUPrimeKeyPairGenerator generator = new SNTRUPrimeKeyPairGenerator();
        generator.init(new SNTRUPrimeKeyGenerationParameters(new SecureRandom(), SNTRUP761));
        return new Keys(generator.generateKeyPair(), MontgomeryCurve.x25519.generateKeyPair());
    }

    /** {@code sntrup761x25519-sha512} as MINA's, with the keys given instead of generated when asked. */
    private static final class Sntrup761X25519 extends XDH {

        private final Keys keys;

        Sntrup761X25519(Keys keys) throws Exception {
            super(MontgomeryCurve.x25519, true);
            this.keys = keys;
        }

        @Override
        protected byte[] calculateE() throws Exception {
            myKeyAgree.init(keys.x25519().getPrivate());
            return curve.encode(keys.x25519().getPublic());
        }

        @Override
        public KeyEncapsulationMethod getKeyEncapsulation() {
            return new KeyEncapsulationMethod() {
                @Override
                public Client getClient() {
                    return new Sntrup761Client(keys.sntrup761());
                }

                @Override
                public Server getServer() {
                    throw new UnsupportedOperationException("a client's key exchange");
                }
            };
        }

        @Override
        public Digest getHash() throws Exception {
            return BuiltinDigests.sha512.create();
        }
    }

    /** The client's side of sntrup761 with a key pair made before: {@link #init()} has nothing left to do. */
    private static final class Sntrup761Client implements KeyEncapsulationMethod.Client {

        private final SNTRUPrimeKEMExtractor extractor;
        private final SNTRUPrimePublicKeyParameters publicKey;

        Sntrup761Client(AsymmetricCipherKeyPair pair) {
            this.extractor = new SNTRUPrimeKEMExtractor((SNTRUPrimePrivateKeyParameters) pair.getPrivate());
            this.publicKey = (SNTRUPrimePublicKeyParameters) pair.getPublic();
        }

        @Override
        public void init() {
            // the key pair came with the constructor
        }

        @Override
        public byte[] getPublicKey() {
            return publicKey.getEncoded();
        }

        @Override
        public byte[] extractSecret(byte[] encapsulated) {
            if (encapsulated.length != extractor.getEncapsulationLength()) {
                throw new IllegalArgumentException("KEM encapsulation has the wrong length: " + encapsulated.length
                        + " bytes, where sntrup761 has " + extractor.getEncapsulationLength());
            }
            return extractor.extractSecret(encapsulated);
        }

        @Override
        public int getEncapsulationLength() {
            return extractor.getEncapsulationLength();
        }
    }
}
