package caret.launcher.ui;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the dashboard: a request must name this dashboard in its {@code Host} header (a page
 * of another site that a DNS rebinding points at 127.0.0.1 names its own), must not come from a
 * page of another origin ({@code Origin}), and must carry the token: once in the address Caret
 * printed, which sets a cookie for this port and moves to an address without it, then the cookie or
 * an {@code Authorization: Bearer} header.
 */
final class Access {

    /** What to do with a request: serve it, send the browser to {@code location}, or refuse it. */
    record Verdict(int status, String message, String location, String cookie) {

        static final Verdict SERVE = new Verdict(200, null, null, null);

        boolean serve() {
            return this == SERVE;
        }

        static Verdict refuse(String message) {
            return new Verdict(403, message, null, null);
        }
    }

    private final byte[] token;
    private final String text;
    private final int port;
    private final Set<String> hosts;
    private final Set<String> origins;

    private Access(String token, int port) {
        this.text = token;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.port = port;
        this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.origins = Set.of("http://127.0.0.1:" + port, "http://localhost:" + port);
    }

    /** A fresh random token (128 bits) for the dashboard on {@code port}. */
    static Access forPort(int port) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return new Access(HexFormat.of().formatHex(random), port);
    }

    String token() {
        return text;
    }

    Verdict check(URI uri, Headers headers) {
        String host = headers.getFirst("Host");
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
            return Verdict.refuse("Refused: this dashboard answers only as 127.0.0.1:" + port + " or localhost:" + port
                    + ", not as '" + host + "' (a name that points here from elsewhere, as in DNS rebinding)");
        }
        String origin = headers.getFirst("Origin");
        if (origin != null && !origins.contains(origin)) {
            return Verdict.refuse("Refused: a request from the page of another site (" + origin + ")");
        }
        String given = query(uri, "token");
        if (given != null) {
            if (!matches(given)) {
                return Verdict.refuse("Refused: wrong token. Open the address Caret printed, or run 'caret ui' for a new one");
            }
            return new Verdict(303, null, uri.getPath(), cookieName() + "=" + text
                    + "; Path=/; HttpOnly; SameSite=Strict");
        }
        if (matches(cookie(headers)) || matches(bearer(headers))) {
            return Verdict.SERVE;
        }
        return Verdict.refuse("This dashboard needs its token: open the address Caret printed"
                + " (http://127.0.0.1:" + port + "/?token=…); 'caret ui' prints a new one");
    }

    private String cookieName() {
        return "caret-dashboard-" + port; // a cookie is kept per host, not per port
    }

    private boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    private String cookie(Headers headers) {
        List<String> all = headers.get("Cookie");
        if (all == null) {
            return null;
        }
        for (String line : all) {
            for (String pair : line.split(";")) {
                String[] parts = pair.strip().split("=", 2);
                if (parts.length == 2 && parts[0].equals(cookieName())) {
                    return parts[1];
                }
            }
        }
        return null;
    }

    private static String bearer(Headers headers) {
        String value = headers.getFirst("Authorization");
        return value != null && value.startsWith("Bearer ") ? value.substring("Bearer ".length()).strip() : null;
    }

    static String query(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts[0].equals(name)) {
                return parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            }
        }
        return null;
    }
}
