package caret.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What happens to a changed, revoked or unknown host key under each StrictHostKeyChecking policy. */
class KnownHostsVerifierTest {

    private static final Endpoint LOOPBACK_2222 = new Endpoint("127.0.0.1", 2222);

    @TempDir
    Path dir;

    private final HostKey key = HostKeys.ed25519();

    /** Answers every question with {@code answer} and remembers the questions. */
    private static final class Prompt implements HostKeyPrompt {
        final boolean answer;
        final List<String> questions = new ArrayList<>();

        Prompt(boolean answer) {
            this.answer = answer;
        }

        @Override
        public boolean canAsk() {
            return true;
        }

        @Override
        public boolean confirm(String question) {
            questions.add(question);
            return answer;
        }
    }

    private Path knownHosts() {
        return dir.resolve(".ssh").resolve("known_hosts");
    }

    private HostKeyVerifier verifier(HostKeyPolicy policy) {
        return verifier(policy, HostKeyPrompt.NONE);
    }

    private HostKeyVerifier verifier(HostKeyPolicy policy, HostKeyPrompt prompt) {
        return Caret.knownHosts(List.of(knownHosts()), policy, prompt);
    }

    private TransportException refused(HostKeyVerifier verifier, Endpoint server, HostKey offered) {
        return assertThrows(TransportException.class, () -> verifier.verify(server, offered));
    }

    private String expectedLine(HostKey k) {
        return "[127.0.0.1]:2222 " + k.type() + " " + java.util.Base64.getEncoder().encodeToString(k.blob());
    }

    // --- changed ---

    @ParameterizedTest
    @EnumSource(HostKeyPolicy.class)
    void anotherKeyOfTheSameTypeIsRefusedAsChangedWhateverThePolicy(HostKeyPolicy policy) throws IOException {
        HostKey old = HostKeys.ed25519();
        HostKeys.write(knownHosts(), String.join("\n",
                "# line 1",
                "example.org " + HostKeys.ed25519().openSshText(),
                "[127.0.0.1]:2222 " + old.openSshText(),
                ""));
        String before = Files.readString(knownHosts());
        Prompt prompt = new Prompt(true);

        TransportException e = refused(verifier(policy, prompt), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_CHANGED, e.reason());
        String message = e.getMessage();
        assertTrue(message.contains(knownHosts() + ":3"), message);
        assertTrue(message.contains("ssh-keygen -R '[127.0.0.1]:2222' -f " + knownHosts()), message);
        assertTrue(message.contains(HostKeys.fingerprint(key)), message);
        assertTrue(message.contains(HostKeys.fingerprint(old)), message);
        assertEquals(List.of(), prompt.questions, "a changed key is never put to the user");
        assertEquals(before, Files.readString(knownHosts()));
    }

    @Test
    void changeIsReportedInTheFileThatHoldsTheOldKey() {
        Path global = dir.resolve("ssh_known_hosts");
        HostKeys.write(global, "\n[127.0.0.1]:2222 " + HostKeys.ed25519().openSshText() + "\n");
        HostKeyVerifier verifier = Caret.knownHosts(List.of(knownHosts(), global), HostKeyPolicy.ACCEPT_NEW,
                HostKeyPrompt.NONE);

        TransportException e = refused(verifier, LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_CHANGED, e.reason());
        assertTrue(e.getMessage().contains(global + ":2"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:2222' -f " + global), e.getMessage());
        assertFalse(Files.exists(knownHosts()));
    }

    @Test
    void anyListedKeyIsTrustedEvenWhenAnotherOfTheSameTypeIsListedToo() {
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + HostKeys.ed25519().openSshText() + "\n"
                + "[127.0.0.1]:2222 " + key.openSshText() + "\n");

        assertDoesNotThrow(() -> verifier(HostKeyPolicy.YES).verify(LOOPBACK_2222, key));
    }

    // --- revoked ---

    @ParameterizedTest
    @EnumSource(HostKeyPolicy.class)
    void revokedKeyIsRefusedEvenWhenAlsoListed(HostKeyPolicy policy) throws IOException {
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + key.openSshText() + "\n"
                + "@revoked * " + key.openSshText() + "\n");
        String before = Files.readString(knownHosts());
        Prompt prompt = new Prompt(true);

        TransportException e = refused(verifier(policy, prompt), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_CHANGED, e.reason());
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
        assertTrue(e.getMessage().contains(knownHosts() + ":2"), e.getMessage());
        assertEquals(List.of(), prompt.questions);
        assertEquals(before, Files.readString(knownHosts()));
    }

    @Test
    void revokingAnotherKeyLeavesThisOneTrusted() {
        HostKeys.write(knownHosts(), "@revoked [127.0.0.1]:2222 " + HostKeys.ed25519().openSshText() + "\n"
                + "[127.0.0.1]:2222 " + key.openSshText() + "\n");

        assertDoesNotThrow(() -> verifier(HostKeyPolicy.YES).verify(LOOPBACK_2222, key));
    }

    @Test
    void certAuthorityLineIsNeitherAHostKeyNorAChange() {
        HostKeys.write(knownHosts(), "@cert-authority [127.0.0.1]:2222 " + HostKeys.ed25519().openSshText() + "\n"
                + "@cert-authority [127.0.0.1]:2222 " + key.openSshText() + "\n");

        TransportException e = refused(verifier(HostKeyPolicy.YES), LOOPBACK_2222, key);
        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
    }

    // --- unknown: yes ---

    @Test
    void strictCheckingRefusesAnUnknownKeyShowingItsFingerprint() throws IOException {
        HostKeys.write(knownHosts(), "example.org " + key.openSshText() + "\n");
        String before = Files.readString(knownHosts());

        TransportException e = refused(verifier(HostKeyPolicy.YES), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
        assertTrue(e.getMessage().contains(HostKeys.fingerprint(key)), e.getMessage());
        assertTrue(e.getMessage().contains("[127.0.0.1]:2222"), e.getMessage());
        assertEquals(before, Files.readString(knownHosts()));
    }

    @Test
    void fingerprintIsTheOneSshKeygenPrints() throws IOException, InterruptedException {
        Path pub = dir.resolve("host_key.pub");
        HostKeys.write(pub, key.openSshText() + " root@test\n");
        String output = HostKeys.run(dir, List.of("ssh-keygen", "-l", "-f", pub.toString()));
        assumeTrue(output != null, "ssh-keygen is not installed");
        // "256 SHA256:… root@test (ED25519)"
        String printed = output.strip().split("\\s+")[1];
        assertEquals(HostKeys.fingerprint(key), printed);

        TransportException e = refused(verifier(HostKeyPolicy.YES), LOOPBACK_2222, key);
        assertTrue(e.getMessage().contains(printed), e.getMessage());
    }

    // --- unknown: accept-new ---

    @Test
    void acceptNewCreatesFolderAndFileWithExactlyOneLine() throws IOException {
        assertFalse(Files.exists(knownHosts().getParent()));

        assertDoesNotThrow(() -> verifier(HostKeyPolicy.ACCEPT_NEW).verify(LOOPBACK_2222, key));

        assertEquals(expectedLine(key) + "\n", Files.readString(knownHosts()));
    }

    @Test
    void acceptNewWritesOnceThenTrusts() throws IOException {
        HostKeyVerifier verifier = verifier(HostKeyPolicy.ACCEPT_NEW);
        assertDoesNotThrow(() -> verifier.verify(LOOPBACK_2222, key));
        String afterFirst = Files.readString(knownHosts());

        assertDoesNotThrow(() -> verifier.verify(LOOPBACK_2222, key));
        assertDoesNotThrow(() -> verifier(HostKeyPolicy.YES).verify(LOOPBACK_2222, key));

        assertEquals(afterFirst, Files.readString(knownHosts()));
    }

    @Test
    void acceptNewStartsANewLineWhenTheFileDoesNotEndWithOne() throws IOException {
        String existing = "example.org " + HostKeys.ed25519().openSshText();
        HostKeys.write(knownHosts(), existing);

        assertDoesNotThrow(() -> verifier(HostKeyPolicy.ACCEPT_NEW).verify(LOOPBACK_2222, key));

        assertEquals(existing + "\n" + expectedLine(key) + "\n", Files.readString(knownHosts()));
    }

    @Test
    void acceptNewAddsNoBlankLineWhenTheFileEndsWithOne() throws IOException {
        String existing = "example.org " + HostKeys.ed25519().openSshText() + "\n";
        HostKeys.write(knownHosts(), existing);

        assertDoesNotThrow(() -> verifier(HostKeyPolicy.ACCEPT_NEW).verify(LOOPBACK_2222, key));

        assertEquals(existing + expectedLine(key) + "\n", Files.readString(knownHosts()));
    }

    @Test
    void acceptNewWritesPort22AsThePlainHostName() throws IOException {
        assertDoesNotThrow(() -> verifier(HostKeyPolicy.ACCEPT_NEW).verify(new Endpoint("Example.ORG", 22), key));

        assertEquals("example.org " + key.openSshText() + "\n", Files.readString(knownHosts()));
    }

    @Test
    void acceptNewWritesToTheFirstFile() throws IOException {
        Path global = dir.resolve("ssh_known_hosts");
        HostKeys.write(global, "example.org " + HostKeys.ed25519().openSshText() + "\n");
        String globalBefore = Files.readString(global);

        assertDoesNotThrow(() -> Caret.knownHosts(List.of(knownHosts(), global), HostKeyPolicy.ACCEPT_NEW,
                HostKeyPrompt.NONE).verify(LOOPBACK_2222, key));

        assertEquals(expectedLine(key) + "\n", Files.readString(knownHosts()));
        assertEquals(globalBefore, Files.readString(global));
    }

    /** The line written is one OpenSSH itself finds, when it is installed. */
    @Test
    void lineWrittenIsFoundBySshKeygen() throws IOException, InterruptedException {
        assertDoesNotThrow(() -> verifier(HostKeyPolicy.ACCEPT_NEW).verify(LOOPBACK_2222, key));

        List<String> command = List.of("ssh-keygen", "-F", "[127.0.0.1]:2222", "-f", knownHosts().toString());
        String output = HostKeys.run(dir, command);
        assumeTrue(output != null, "ssh-keygen is not installed");
        assertTrue(output.contains(expectedLine(key)), output);
    }

    // --- unknown: no ---

    @Test
    void noAcceptsAnUnknownKeyWithoutWritingIt() throws IOException {
        assertDoesNotThrow(() -> verifier(HostKeyPolicy.NO).verify(LOOPBACK_2222, key));
        assertFalse(Files.exists(knownHosts()));

        String existing = "example.org " + HostKeys.ed25519().openSshText() + "\n";
        HostKeys.write(knownHosts(), existing);
        assertDoesNotThrow(() -> verifier(HostKeyPolicy.NO).verify(LOOPBACK_2222, key));
        assertEquals(existing, Files.readString(knownHosts()));
    }

    // --- unknown: ask ---

    @Test
    void askWithoutATerminalRefuses() {
        TransportException e = refused(verifier(HostKeyPolicy.ASK, HostKeyPrompt.NONE), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
        assertTrue(e.getMessage().contains("no terminal"), e.getMessage());
        assertTrue(e.getMessage().contains(HostKeys.fingerprint(key)), e.getMessage());
        assertFalse(Files.exists(knownHosts()));
    }

    @Test
    void askAnsweredYesWritesTheLineAndDoesNotAskAgain() throws IOException {
        Prompt prompt = new Prompt(true);
        HostKeyVerifier verifier = verifier(HostKeyPolicy.ASK, prompt);

        assertDoesNotThrow(() -> verifier.verify(LOOPBACK_2222, key));
        assertDoesNotThrow(() -> verifier.verify(LOOPBACK_2222, key));

        assertEquals(1, prompt.questions.size(), prompt.questions::toString);
        String question = prompt.questions.getFirst();
        assertTrue(question.contains("[127.0.0.1]:2222"), question);
        assertTrue(question.contains(HostKeys.fingerprint(key)), question);
        assertEquals(expectedLine(key) + "\n", Files.readString(knownHosts()));
    }

    @Test
    void askAnsweredNoRefusesAndWritesNothing() {
        Prompt prompt = new Prompt(false);

        TransportException e = refused(verifier(HostKeyPolicy.ASK, prompt), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
        assertEquals(1, prompt.questions.size());
        assertFalse(Files.exists(knownHosts()));
    }

    // --- another key type ---

    @Test
    void keyOfAnotherTypeIsUnknownNotChangedAndTheOtherEntryIsNamed() {
        HostKey ecdsa = HostKeys.ecdsa();
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + ecdsa.openSshText() + "\n");

        TransportException e = refused(verifier(HostKeyPolicy.YES), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
        assertTrue(e.getMessage().contains("ecdsa-sha2-nistp256 at " + knownHosts() + ":1"), e.getMessage());
    }

    @Test
    void keyOfAnotherTypeIsNotTrustedBlindlyByAcceptNew() throws IOException {
        HostKey ecdsa = HostKeys.ecdsa();
        String existing = "[127.0.0.1]:2222 " + ecdsa.openSshText() + "\n";
        HostKeys.write(knownHosts(), existing);

        TransportException e = refused(verifier(HostKeyPolicy.ACCEPT_NEW), LOOPBACK_2222, key);

        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason());
        assertTrue(e.getMessage().contains("this host is known by another key"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh-keyscan -p 2222 127.0.0.1 >> " + knownHosts()), e.getMessage());
        assertEquals(existing, Files.readString(knownHosts()));
    }

    @Test
    void knownKeyTypesComeFromTheMatchingEntries() {
        HostKey ecdsa = HostKeys.ecdsa();
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + ecdsa.openSshText() + "\n"
                + "[127.0.0.1]:2222 " + key.openSshText() + "\n"
                + "[127.0.0.1]:2223 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7\n"
                + "@revoked [127.0.0.1]:2222 " + key.openSshText() + "\n");

        assertEquals(List.of(ecdsa.type(), key.type()), verifier(HostKeyPolicy.YES).knownKeyTypes(LOOPBACK_2222));
        assertEquals(List.of(), verifier(HostKeyPolicy.YES).knownKeyTypes(new Endpoint("127.0.0.1", 2224)));
    }
}
