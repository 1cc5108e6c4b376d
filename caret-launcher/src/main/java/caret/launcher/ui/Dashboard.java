package caret.launcher.ui;

import caret.launcher.control.ControlHandler;
import caret.launcher.control.ControlReply;
import caret.launcher.control.ControlRequest;
import caret.launcher.control.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The dashboard: a page on 127.0.0.1, at a port of its own, that shows every server and forward of
 * a running Caret live and adds, edits, switches and removes forwards. Every change it makes is a
 * request of the control socket ({@code add}, {@code on}, {@code off}, {@code remove},
 * {@code save}) sent to the same {@link ControlHandler} the command line reaches, so the page and
 * {@code caret status} always agree. Only a request with the token, this dashboard's own
 * {@code Host} and no foreign {@code Origin} is served (see {@link Access}).
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final Set<String> OPS = Set.of("add", "on", "off", "remove", "save");
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/app.js", "app.js", "/app.css", "app.css");
    private static final Duration REFRESH = Duration.ofMillis(500);
    private static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService threads;
    private final Access access;
    private final ControlHandler control;
    private volatile boolean closed;

    private Dashboard(HttpServer server, ExecutorService threads, ControlHandler control) {
        this.server = server;
        this.threads = threads;
        this.access = Access.forPort(server.getAddress().getPort());
        this.control = control;
    }

    /** Serves the dashboard on 127.0.0.1 at a free port, sending its requests to {@code control}. */
    public static Dashboard start(ControlHandler control) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("caret-ui-", 0).factory());
        server.setExecutor(threads);
        Dashboard dashboard = new Dashboard(server, threads, control);
        server.createContext("/", dashboard::handle);
        server.start();
        log.debug("dashboard on 127.0.0.1:{}", server.getAddress().getPort());
        return dashboard;
    }

    /** The address to open, with the token; print it for the user only, never log it. */
    public URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/?token=" + access.token());
    }

    /** Opens {@link #address()} in a browser when there is a desktop; says whether it did. */
    public boolean openBrowser() {
        return Browser.open(address());
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            secure(exchange);
            Access.Verdict verdict = access.check(exchange.getRequestURI(), exchange.getRequestHeaders());
            if (!verdict.serve()) {
                if (verdict.location() != null) {
                    exchange.getResponseHeaders().set("Location", verdict.location());
                    exchange.getResponseHeaders().set("Set-Cookie", verdict.cookie());
                    exchange.sendResponseHeaders(verdict.status(), -1);
                } else {
                    // debug: a tab left open retries every few seconds
                    log.debug("dashboard: refused {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                            verdict.message());
                    send(exchange, verdict.status(), "text/plain; charset=utf-8", verdict.message() + "\n");
                }
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            switch (path) {
                case "/api/status" -> {
                    if (allowed(exchange, "GET")) {
                        send(exchange, 200, "application/json", status());
                    }
                }
                case "/api/events" -> {
                    if (allowed(exchange, "GET")) {
                        events(exchange);
                    }
                }
                case "/api/op" -> {
                    if (allowed(exchange, "POST")) {
                        op(exchange);
                    }
                }
                case "/api/port" -> {
                    if (allowed(exchange, "GET")) {
                        port(exchange);
                    }
                }
                default -> {
                    String asset = ASSETS.get(path);
                    if (asset == null) {
                        send(exchange, 404, "text/plain; charset=utf-8", "No such page: " + path + "\n");
                    } else if (allowed(exchange, "GET")) {
                        asset(exchange, asset);
                    }
                }
            }
        } catch (IOException e) {
            log.debug("dashboard request: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("dashboard: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString(), e);
            if (exchange.getResponseCode() == -1) {
                send(exchange, 500, "text/plain; charset=utf-8", "Failed: " + e.getMessage() + "\n");
            }
        } finally {
            exchange.close();
        }
    }

    private static boolean allowed(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        send(exchange, 405, "text/plain; charset=utf-8", exchange.getRequestURI().getPath() + " takes " + method + "\n");
        return false;
    }

    private String status() {
        return Json.mapper().writeValueAsString(control.handle(ControlRequest.of("status")));
    }

    /** Server-sent events: the status now and every {@link #REFRESH} after, until the page goes. */
    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            while (!closed) {
                out.write(("data: " + status() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(REFRESH); // the refresh period of a live view
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private void op(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        ControlReply reply;
        ControlRequest request = null;
        if (body.length > MAX_BODY) {
            reply = ControlReply.refused("A request longer than " + MAX_BODY + " bytes is not one the page sends");
        } else {
            try {
                request = Json.mapper().readValue(body, ControlRequest.class);
                reply = request.op() == null || !OPS.contains(request.op().toLowerCase(Locale.ROOT))
                        ? ControlReply.refused("The dashboard sends only " + String.join(", ", OPS.stream().sorted().toList())
                                + ", not '" + request.op() + "'")
                        : control.handle(request);
            } catch (JacksonException e) {
                request = null;
                reply = ControlReply.refused("Not a request: " + e.getOriginalMessage());
            }
        }
        if (request != null) {
            log.info("dashboard: {} -> {}", request, reply.ok() ? "done" : "refused: " + reply.message());
        }
        send(exchange, 200, "application/json", Json.mapper().writeValueAsString(reply));
    }

    private static void port(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        PortCheck.Answer answer;
        try {
            answer = PortCheck.check(Access.query(uri, "address"), Integer.parseInt(String.valueOf(Access.query(uri, "port"))));
        } catch (NumberFormatException e) {
            answer = new PortCheck.Answer("invalid", "A port is a number from 0 to 65535 (0: any free port)");
        }
        send(exchange, 200, "application/json", Json.mapper().writeValueAsString(answer));
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the dashboard's " + name + " is missing from the jar");
            }
            bytes = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        send(exchange, 200, type, bytes);
    }

    /** Headers on every answer: no framing, no sniffing, nothing from elsewhere, no caching, no referrer. */
    private static void secure(HttpExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
                + " form-action 'self'; base-uri 'none'");
        headers.set("X-Frame-Options", "DENY");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
