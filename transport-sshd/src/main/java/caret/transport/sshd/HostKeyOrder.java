package caret.transport.sshd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.signature.Signature;

/**
 * The host key algorithms a session offers, with those of the key types already trusted first, as
 * OpenSSH's {@code order_hostkeyalgs} does: a server with several host keys then presents the one
 * in known_hosts rather than an unknown one. Otherwise MINA's order is kept.
 */
final class HostKeyOrder {

    private static final String CERT_SUFFIX = "-cert-v01@openssh.com";

    private HostKeyOrder() {
    }

    /**
     * @param offered the signature algorithms MINA would offer, in its order
     * @param knownKeyTypes key types such as {@code ssh-ed25519} or {@code ssh-rsa}
     * @return the same algorithms: those whose key type is known first, each group in MINA's order
     */
    static List<NamedFactory<Signature>> preferring(List<NamedFactory<Signature>> offered,
            Collection<String> knownKeyTypes) {
        Set<String> known = knownKeyTypes.stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> algorithm : offered) {
            (known.contains(keyType(algorithm.getName())) ? first : rest).add(algorithm);
        }
        first.addAll(rest);
        return first;
    }

    /**
     * The plain key type a host key algorithm signs with: {@code rsa-sha2-512} and
     * {@code rsa-sha2-256-cert-v01@openssh.com} are {@code ssh-rsa} keys,
     * {@code ssh-ed25519-cert-v01@openssh.com} an {@code ssh-ed25519} key.
     */
    static String keyType(String algorithm) {
        String type = KeyUtils.getCanonicalKeyType(algorithm); // rsa-sha2-* -> ssh-rsa(-cert-v01@openssh.com)
        if (type.endsWith(CERT_SUFFIX)) {
            type = type.substring(0, type.length() - CERT_SUFFIX.length());
            if (type.startsWith("sk-")) {
                type = type + "@openssh.com"; // sk-ssh-ed25519-cert-v01@openssh.com -> sk-ssh-ed25519@openssh.com
            }
        }
        return type.toLowerCase(Locale.ROOT);
    }
}
