package caret.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import caret.spi.Endpoint;
import caret.spi.HostKey;
import caret.spi.HostKeyVerifier;
import caret.spi.TransportException;
import caret.spi.TransportException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which known_hosts lines name which server, as OpenSSH reads them. */
class KnownHostsMatchingTest {

    private static final Endpoint LOOPBACK_2222 = new Endpoint("127.0.0.1", 2222);

    @TempDir
    Path dir;

    private final HostKey key = HostKeys.ed25519();

    private Path knownHosts() {
        return dir.resolve(".ssh").resolve("known_hosts");
    }

    /** Strict checking, so that a key that is not trusted throws instead of being added. */
    private HostKeyVerifier strict() {
        return Caret.knownHosts(List.of(knownHosts()), HostKeyPolicy.YES, HostKeyPrompt.NONE);
    }

    private void assertTrusted(Endpoint server) {
        assertDoesNotThrow(() -> strict().verify(server, key));
    }

    private void assertUnknown(Endpoint server) {
        TransportException e = assertThrows(TransportException.class, () -> strict().verify(server, key));
        assertEquals(Reason.HOST_KEY_UNKNOWN, e.reason(), e.getMessage());
    }

    @Test
    void trustsKeyListedWithBracketedHostAndPort() throws IOException {
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + key.openSshText() + "\n");
        byte[] before = Files.readAllBytes(knownHosts());

        assertTrusted(LOOPBACK_2222);

        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(knownHosts()));
    }

    @Test
    void bracketedEntryIsOnlyForItsPort() {
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + key.openSshText() + "\n");

        assertUnknown(new Endpoint("127.0.0.1", 2223));
        assertUnknown(new Endpoint("127.0.0.1", 22));
    }

    @Test
    void port22IsListedAsThePlainHostName() {
        HostKeys.write(knownHosts(), "example.org " + key.openSshText() + "\n");

        assertTrusted(new Endpoint("example.org", 22));
        assertUnknown(new Endpoint("example.org", 2222));
    }

    @Test
    void bracketsAroundPort22AreNotHowOpenSshNamesIt() {
        HostKeys.write(knownHosts(), "[example.org]:22 " + key.openSshText() + "\n");

        assertUnknown(new Endpoint("example.org", 22));
    }

    @Test
    void ipv6LiteralIsBracketedWithItsPort() {
        HostKeys.write(knownHosts(), "[::1]:2222 " + key.openSshText() + "\n::1 " + key.openSshText() + "\n");

        assertTrusted(new Endpoint("::1", 2222));
        assertTrusted(new Endpoint("[::1]", 22));
    }

    @ParameterizedTest(name = "''{0}'' names {1}:{2}: {3}")
    @CsvSource(delimiter = ';', textBlock = """
            *.example.org                        ; a.example.org ; 22   ; true
            *.example.org                        ; example.org   ; 22   ; false
            *.example.org                        ; a.example.org ; 2222 ; false
            [*.example.org]:2222                 ; a.example.org ; 2222 ; true
            [127.0.0.1]:*                        ; 127.0.0.1     ; 2222 ; true
            *                                    ; 127.0.0.1     ; 2222 ; true
            web?.example.org                     ; web1.example.org  ; 22 ; true
            web?.example.org                     ; web10.example.org ; 22 ; false
            10.0.0.?                             ; 10.0.0.5      ; 22   ; true
            10.0.0.?                             ; 10.0.0.15     ; 22   ; false
            alpha,beta,[127.0.0.1]:2222          ; beta          ; 22   ; true
            alpha,beta,[127.0.0.1]:2222          ; 127.0.0.1     ; 2222 ; true
            alpha,beta,[127.0.0.1]:2222          ; gamma         ; 22   ; false
            *.example.org,!secret.example.org    ; a.example.org ; 22   ; true
            *.example.org,!secret.example.org    ; secret.example.org ; 22 ; false
            !secret.example.org,*.example.org    ; secret.example.org ; 22 ; false
            !secret.example.org                  ; other.net     ; 22   ; false
            *,!10.0.0.*                          ; 10.0.0.7      ; 22   ; false
            Example.ORG                          ; example.org   ; 22   ; true
            example.org                          ; EXAMPLE.org   ; 22   ; true
            """)
    void matchesPatternsAsOpenSshDoes(String patterns, String host, int port, boolean trusted) {
        HostKeys.write(knownHosts(), patterns + " " + key.openSshText() + "\n");

        Endpoint server = new Endpoint(host, port);
        if (trusted) {
            assertTrusted(server);
        } else {
            assertUnknown(server);
        }
    }

    @Test
    void hashedNameMatchesTheHostItWasHashedFrom() {
        HostKeys.write(knownHosts(), String.join("\n",
                HostKeys.hashed("[127.0.0.1]:2222", "000102030405060708090a0b0c0d0e0f10111213") + " " + key.openSshText(),
                HostKeys.hashed("example.org", "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedec") + " " + key.openSshText(),
                ""));

        assertTrusted(LOOPBACK_2222);
        assertTrusted(new Endpoint("example.org", 22));
        assertTrusted(new Endpoint("EXAMPLE.ORG", 22));
        assertUnknown(new Endpoint("127.0.0.1", 22));
        assertUnknown(new Endpoint("example.org", 2222));
        assertUnknown(new Endpoint("example.net", 22));
    }

    @Test
    void hashedNameWithAnotherKeyOfTheSameTypeIsAChange() {
        HostKeys.write(knownHosts(), HostKeys.hashed("[127.0.0.1]:2222", "0123456789abcdef0123456789abcdef01234567")
                + " " + HostKeys.ed25519().openSshText() + "\n");

        TransportException e = assertThrows(TransportException.class, () -> strict().verify(LOOPBACK_2222, key));
        assertEquals(Reason.HOST_KEY_CHANGED, e.reason());
    }

    /** The same, with names hashed by OpenSSH itself ({@code ssh-keygen -H}), when it is installed. */
    @Test
    void namesHashedBySshKeygenMatch() throws IOException, InterruptedException {
        HostKeys.write(knownHosts(), "[127.0.0.1]:2222 " + key.openSshText() + "\nexample.org " + key.openSshText() + "\n");
        String output = HostKeys.run(dir, List.of("ssh-keygen", "-H", "-f", knownHosts().toString()));
        assumeTrue(output != null, "ssh-keygen is not installed");
        assumeTrue(Files.readString(knownHosts()).startsWith("|1|"), "ssh-keygen did not hash the file");

        assertTrusted(LOOPBACK_2222);
        assertTrusted(new Endpoint("example.org", 22));
        assertUnknown(new Endpoint("example.net", 22));
    }

    @Test
    void skipsCommentsBlankAndGarbageLines() throws IOException {
        Files.createDirectories(knownHosts().getParent());
        String text = String.join("\n",
                "# known hosts of the test",
                "",
                "   \t ",
                "\t# an indented comment [127.0.0.1]:2222 " + HostKeys.ed25519().openSshText(),
                "garbage",
                "two words",
                "[127.0.0.1]:2222 ssh-ed25519",
                "[127.0.0.1]:2222 ssh-ed25519 %%%-not-base64-%%%",
                "@revoked",
                "@revoked [127.0.0.1]:2222",
                "|1|not|a|valid|hash ssh-ed25519 " + HostKeys.ed25519().openSshText().split(" ")[1],
                "|1|%%%|%%% " + HostKeys.ed25519().openSshText(),
                "[127.0.0.1]:2222 " + key.openSshText() + " a trailing comment",
                "");
        Files.writeString(knownHosts(), text);

        assertTrusted(LOOPBACK_2222);
    }

    /** OpenSSH reads bytes; a comment in another encoding (here Latin-1) must not make the file unreadable. */
    @Test
    void skipsLinesThatAreNotUtf8() throws IOException {
        Files.createDirectories(knownHosts().getParent());
        byte[] latin1 = "# J\u00f6rg's servers\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0x80, ' ', 'x', ' ', 'y', '\n'};
        byte[] entry = ("[127.0.0.1]:2222 " + key.openSshText() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(knownHosts(), concat(latin1, binary, entry));

        assertTrusted(LOOPBACK_2222);
    }

    /** OpenSSH skips a line whose key it cannot decode; such a line is no reason to cry "changed". */
    @Test
    void lineWithUndecodableKeyIsSkippedNotTakenForAChange() {
        HostKeys.write(knownHosts(), String.join("\n",
                "[127.0.0.1]:2222 ssh-ed25519 AAAA",
                "[127.0.0.1]:2222 ssh-ed25519 " + HostKeys.ecdsa().openSshText().split(" ")[1],
                ""));

        assertUnknown(LOOPBACK_2222);
    }

    @Test
    void acceptsCrLfLineEnds() {
        HostKeys.write(knownHosts(), "# written on Windows\r\n[127.0.0.1]:2222 " + key.openSshText() + "\r\n");

        assertTrusted(LOOPBACK_2222);
    }

    @Test
    void missingFileAndFolderMeanNoKeyIsKnown() {
        assertUnknown(LOOPBACK_2222);
        assertDoesNotThrow(() -> Caret.knownHosts(List.of(knownHosts()), HostKeyPolicy.NO, HostKeyPrompt.NONE)
                .verify(LOOPBACK_2222, key));
        assertEquals(false, Files.exists(knownHosts().getParent()));
    }

    @Test
    void readsEveryFileGiven() {
        Path global = dir.resolve("ssh_known_hosts");
        HostKeys.write(global, "[127.0.0.1]:2222 " + key.openSshText() + "\n");
        HostKeyVerifier verifier = Caret.knownHosts(List.of(knownHosts(), global), HostKeyPolicy.YES, HostKeyPrompt.NONE);

        assertDoesNotThrow(() -> verifier.verify(LOOPBACK_2222, key));
    }

    @Test
    void needsAtLeastOneFile() {
        assertThrows(IllegalArgumentException.class, () -> Caret.knownHosts(List.of(), HostKeyPolicy.YES, HostKeyPrompt.NONE));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
