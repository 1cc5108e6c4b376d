/**
 * Test fixtures: a real OpenSSH sshd started on 127.0.0.1, peers that echo and check bytes, and a
 * relay that counts the SSH packets a client sends.
 */
module caret.testkit {
    requires transitive caret.spi;
    requires transitive org.junit.jupiter.api;

    uses caret.spi.SshTransport; // SshTransportContract checks that ServiceLoader finds the transport

    exports caret.testkit;
    // JUnit injects @TempDir into, and calls the tests of, the contract classes here.
    opens caret.testkit to org.junit.platform.commons;
}
