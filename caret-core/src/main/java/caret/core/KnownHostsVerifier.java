package caret.core;

import caret.core.hostkeys.KnownHosts;
import caret.core.hostkeys.KnownHostsEntry;
import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.TransportException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusts a host key as OpenSSH does: a key listed for the server in a known_hosts file is trusted;
 * a different key of the same type is always refused, naming the file and line; an unknown key is
 * handled by the {@link HostKeyPolicy}. New keys are written to the first file.
 */
final class KnownHostsVerifier implements HostKeyVerifier {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsVerifier.class);

    private final List<Path> files;
    private final HostKeyPolicy policy;
    private final HostKeyPrompt prompt;

    KnownHostsVerifier(List<Path> files, HostKeyPolicy policy, HostKeyPrompt prompt) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("at least one known_hosts file is needed");
        }
        this.files = List.copyOf(files);
        this.policy = policy;
        this.prompt = prompt;
    }

    @Override
    public List<String> knownKeyTypes(Endpoint server) {
        try {
            return KnownHosts.matching(files, server).stream().filter(e -> e.marker().isEmpty())
                    .map(e -> e.key().type()).distinct().toList();
        } catch (IOException e) {
            return List.of(); // verify() reports the unreadable file
        }
    }

    @Override
    public void verify(Endpoint server, HostKey key) throws TransportException {
        String name = KnownHosts.lookupName(server);
        String fingerprint = KnownHosts.fingerprint(key);
        List<KnownHostsEntry> entries;
        try {
            entries = KnownHosts.matching(files, server);
        } catch (IOException e) {
            throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                    "Cannot read known_hosts (" + e.getMessage() + "): fix its permissions or choose another"
                            + " file with -o UserKnownHostsFile=…", e);
        }
        for (KnownHostsEntry entry : entries) {
            if (entry.marker().equals("@revoked") && entry.key().equals(key)) {
                throw new TransportException(TransportException.Reason.HOST_KEY_CHANGED,
                        "The host key of " + name + " (" + keyName(key) + " " + fingerprint + ") is marked revoked at "
                                + entry.position() + ": refusing to connect. Ask the server's admin for its current key.");
            }
        }
        List<KnownHostsEntry> keys = entries.stream().filter(e -> e.marker().isEmpty()).toList();
        if (keys.stream().anyMatch(e -> e.key().equals(key))) {
            return;
        }
        List<KnownHostsEntry> sameType = keys.stream().filter(e -> e.key().type().equals(key.type())).toList();
        if (!sameType.isEmpty()) {
            KnownHostsEntry old = sameType.getFirst();
            throw new TransportException(TransportException.Reason.HOST_KEY_CHANGED,
                    "The host key of " + name + " has CHANGED: the server offered " + keyName(key) + " " + fingerprint
                            + ", but " + old.position() + " holds another (" + KnownHosts.fingerprint(old.key()) + ")."
                            + " Someone may be intercepting the connection, or the server's key was replaced."
                            + " Refusing to connect. If you know the key changed, remove the old line: ssh-keygen -R '"
                            + name + "' -f " + old.file());
        }
        String others = keys.isEmpty() ? ""
                : " (known_hosts has other key types for it: "
                        + keys.stream().map(e -> e.key().type() + " at " + e.position()).collect(Collectors.joining(", ")) + ")";
        String unknown = "The host key of " + name + " is not known: " + keyName(key) + " " + fingerprint + others + ".";
        String keyscan = "ssh-keyscan " + (server.port() == 22 ? "" : "-p " + server.port() + " ") + server.host()
                + " >> " + files.getFirst();
        String howToAdd = " Check the fingerprint with the server's admin, then connect once with"
                + " -o StrictHostKeyChecking=accept-new, or add it with: " + keyscan;
        if (!keys.isEmpty() && policy == HostKeyPolicy.ACCEPT_NEW) {
            // The server is known, by another key: a new key type is no "new host" to trust blindly.
            throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN, unknown
                    + " StrictHostKeyChecking=accept-new adds keys of new hosts only, and this host is known by another key."
                    + " If the server really has this key, check its fingerprint with the server's admin and add it: " + keyscan);
        }
        switch (policy) {
            case YES -> throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                    unknown + " StrictHostKeyChecking is yes." + howToAdd);
            case NO -> log.warn("StrictHostKeyChecking=no: accepting the unverified host key of {} ({} {}) without"
                    + " recording it; anyone between you and the server could be impersonating it", name, keyName(key), fingerprint);
            case ACCEPT_NEW -> add(server, key, name);
            case ASK -> {
                if (!prompt.canAsk()) {
                    throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                            unknown + " There is no terminal to ask on." + howToAdd);
                }
                boolean yes = prompt.confirm("The authenticity of host '" + name + "' can't be established.\n"
                        + keyName(key) + " key fingerprint is " + fingerprint + ".\n"
                        + "Are you sure you want to continue connecting (yes/no)? ");
                if (!yes) {
                    throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                            "Host key verification failed: you did not accept the host key of " + name + ".");
                }
                add(server, key, name);
            }
        }
    }

    private void add(Endpoint server, HostKey key, String name) throws TransportException {
        Path file = files.getFirst();
        try {
            KnownHosts.add(file, server, key);
        } catch (IOException e) {
            throw new TransportException(TransportException.Reason.HOST_KEY_UNKNOWN,
                    "Cannot add the host key of " + name + " to " + file + ": " + e.getMessage()
                            + ". Fix the file's permissions or choose another with -o UserKnownHostsFile=…", e);
        }
        log.warn("Permanently added '{}' ({}) to the list of known hosts ({})", name, keyName(key), file);
    }

    private static String keyName(HostKey key) {
        String type = key.type();
        if (type.startsWith("ssh-")) {
            type = type.substring(4);
        } else if (type.startsWith("ecdsa-")) {
            type = "ecdsa";
        }
        return type.toUpperCase(Locale.ROOT);
    }
}
