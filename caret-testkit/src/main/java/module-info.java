/** Test fixtures: a real OpenSSH sshd started on 127.0.0.1, and peers that echo and check bytes. */
module caret.testkit {
    requires transitive caret.spi;

    exports caret.testkit;
}
