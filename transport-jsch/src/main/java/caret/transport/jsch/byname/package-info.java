/**
 * Classes JSch instantiates by name from its configuration: the AES-GCM and ChaCha20-Poly1305
 * ciphers, which also recover what JSch reads past ({@link caret.transport.jsch.byname.PacketTap})
 * and hand the packets a key renewal leaves behind to the new keys
 * ({@link caret.transport.jsch.byname.KeyRenewal}); and the daemon JSch runs for each incoming
 * forwarded channel. Exported to {@code com.jcraft.jsch} only: JSch cannot create a class of a
 * package it cannot read.
 */
package caret.transport.jsch.byname;
