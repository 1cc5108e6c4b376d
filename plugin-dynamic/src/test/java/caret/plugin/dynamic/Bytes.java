package caret.plugin.dynamic;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds protocol messages in tests: {@code Bytes.of(5, 1, 0)}, {@code Bytes.concat(...)}. */
final class Bytes {

    private Bytes() {
    }

    static byte[] of(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] repeat(char c, int count) {
        return ascii(String.valueOf(c).repeat(count));
    }

    // Messages used by several tests.

    static final byte[] GREETING_NO_AUTH = of(5, 1, 0);
    static final byte[] METHOD_NO_AUTH = of(5, 0);
    static final byte[] SOCKS5_SUCCESS = of(5, 0, 0, 1, 0, 0, 0, 0, 0, 0);

    /** A SOCKS5 CONNECT request for a host name. */
    static byte[] socks5Domain(String host, int port) {
        return concat(of(5, 1, 0, 3, host.length()), ascii(host), of(port >> 8, port & 0xFF));
    }

    /** A SOCKS5 CONNECT request for 127.0.0.1. */
    static byte[] socks5Loopback(int port) {
        return of(5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xFF);
    }

    /** A SOCKS4 CONNECT request for 127.0.0.1 with user id "user". */
    static byte[] socks4Loopback(int port) {
        return concat(of(4, 1, port >> 8, port & 0xFF, 127, 0, 0, 1), ascii("user"), of(0));
    }

    /** A SOCKS4a CONNECT request for a host name, with an empty user id. */
    static byte[] socks4a(String host, int port) {
        return concat(of(4, 1, port >> 8, port & 0xFF, 0, 0, 0, 1, 0), ascii(host), of(0));
    }
}
