package caret.plugin.dynamic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The one username and password a dynamic forward accepts from SOCKS5 clients (RFC 1929), taken
 * from the forward's options {@code user} and {@code password}. Kept as UTF-8 bytes and compared in
 * constant time; the password is never shown.
 */
final class SocksCredentials {

    static final String USER = "user";
    static final String PASSWORD = "password";
    /** RFC 1929: ULEN and PLEN are one byte each. */
    static final int MAX_BYTES = 255;

    /** How a client's username and password compare with these. */
    enum Check {
        ACCEPTED,
        UNKNOWN_USER,
        WRONG_PASSWORD
    }

    private final byte[] user;
    private final byte[] password;

    private SocksCredentials(String user, String password) {
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The credentials in a forward's options, or empty when it has neither option.
     *
     * @throws IllegalArgumentException saying what is wrong with the options and what to do; never
     *     quoting the password
     */
    static Optional<SocksCredentials> from(Map<String, String> options) {
        TreeSet<String> unknown = new TreeSet<>(options.keySet());
        unknown.remove(USER);
        unknown.remove(PASSWORD);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException((unknown.size() == 1 ? "unknown option '" : "unknown options '")
                    + String.join("', '", unknown) + "': a dynamic forward takes only '" + USER + "' and '" + PASSWORD + "'");
        }
        boolean hasUser = options.containsKey(USER);
        boolean hasPassword = options.containsKey(PASSWORD);
        if (!hasUser && !hasPassword) {
            return Optional.empty();
        }
        if (!hasPassword) {
            throw new IllegalArgumentException("option '" + USER + "' is set without '" + PASSWORD
                    + "': add the password SOCKS5 clients must give with that user, or leave '" + USER + "' out");
        }
        if (!hasUser) {
            throw new IllegalArgumentException("option '" + PASSWORD + "' is set without '" + USER
                    + "': add the username SOCKS5 clients must give with it, or leave '" + PASSWORD + "' out");
        }
        String user = options.get(USER);
        String password = options.get(PASSWORD);
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("option '" + USER + "' is empty: give a SOCKS username of 1 to " + MAX_BYTES + " bytes");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("option '" + PASSWORD + "' is empty: give a SOCKS password of 1 to " + MAX_BYTES + " bytes");
        }
        int userLength = user.getBytes(StandardCharsets.UTF_8).length;
        if (userLength > MAX_BYTES) {
            throw new IllegalArgumentException("option '" + USER + "' is " + userLength + " bytes in UTF-8: SOCKS5 (RFC 1929) carries at most "
                    + MAX_BYTES + "; choose a shorter username");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("option '" + PASSWORD + "' is longer than " + MAX_BYTES
                    + " bytes in UTF-8, the most SOCKS5 (RFC 1929) carries; choose a shorter password");
        }
        return Optional.of(new SocksCredentials(user, password));
    }

    /**
     * Compares what a client sent with these credentials. Both are always compared, each in time
     * that depends only on the length of what the client sent, never on where the bytes differ.
     */
    Check check(byte[] clientUser, byte[] clientPassword) {
        boolean userMatches = MessageDigest.isEqual(clientUser, user);
        boolean passwordMatches = MessageDigest.isEqual(clientPassword, password);
        if (!userMatches) {
            return Check.UNKNOWN_USER;
        }
        return passwordMatches ? Check.ACCEPTED : Check.WRONG_PASSWORD;
    }
}
