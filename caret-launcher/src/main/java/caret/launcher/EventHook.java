package caret.launcher;

import caret.core.ConnectionEvent;
import caret.core.ForwardEvent;
import caret.launcher.control.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --on-event CMD}: runs {@code sh -c CMD} with one event as a JSON object on its standard
 * input when a forward goes down ({@code down}), comes back or first comes up ({@code up}), or fails
 * ({@code failed}), and when a server is given up ({@code gave-up}): enough to hook a desktop
 * notification or a pager. Commands run one at a time, in order, off the engine's threads; one that
 * fails or hangs is logged and, after {@value #TIMEOUT_SECONDS} s, killed.
 *
 * <pre>{@code {"event":"down","server":"db-prod","forward":"db","reason":"...","time":"2026-11-25T10:00:00Z"}}</pre>
 */
final class EventHook implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventHook.class);
    private static final int TIMEOUT_SECONDS = 30;

    private final Function<String, String> commands;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("caret-on-event").factory());
    private final Map<String, String> lastSaid = new ConcurrentHashMap<>();

    /** @param commands the command for a server's events, by server name; {@code null} for none */
    EventHook(Function<String, String> commands) {
        this.commands = commands;
    }

    /** One command for every server. */
    static EventHook of(String command) {
        return new EventHook(server -> command);
    }

    void accept(ForwardEvent event) {
        String key = event.server() + "/" + event.forward();
        switch (event) {
            case ForwardEvent.Ready ready -> send(key, "up", event, null, ready.address() + (ready.onServer() ? " on the server" : ""));
            case ForwardEvent.Waiting waiting -> send(key, "down", event, waiting.reason(), null);
            case ForwardEvent.Failed failed -> send(key, "failed", event, failed.error().getMessage(), null);
            case ForwardEvent.Stopped stopped when stopped.cause() != null -> send(key, "failed", event, stopped.cause(), null);
            default -> {
                // starting, notices, one connection's failure, stopping by the user: not worth a notification
            }
        }
    }

    void accept(ConnectionEvent event) {
        if (event instanceof ConnectionEvent.GaveUp gaveUp) {
            Map<String, Object> fields = fields("gave-up", gaveUp.server(), null, gaveUp.reason(), null);
            runner.execute(() -> run(fields));
        }
    }

    /** Says each change once: a forward retrying a bind says "down" once, not at every attempt. */
    private void send(String key, String kind, ForwardEvent event, String reason, String address) {
        if (kind.equals(lastSaid.put(key, kind)) && !kind.equals("failed")) {
            return;
        }
        Map<String, Object> fields = fields(kind, event.server(), event.forward(), reason, address);
        runner.execute(() -> run(fields));
    }

    private static Map<String, Object> fields(String kind, String server, String forward, String reason, String address) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", kind);
        fields.put("server", server);
        if (forward != null) {
            fields.put("forward", forward);
        }
        if (reason != null) {
            fields.put("reason", reason);
        }
        if (address != null) {
            fields.put("connectTo", address);
        }
        fields.put("time", Instant.now().toString());
        return fields;
    }

    private void run(Map<String, Object> fields) {
        String command = commands.apply((String) fields.get("server"));
        if (command == null || command.isBlank()) {
            return;
        }
        try {
            Process process = new ProcessBuilder("/bin/sh", "-c", command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(Json.mapper().writeValueAsString(fields).getBytes(StandardCharsets.UTF_8));
                stdin.write('\n');
            } catch (IOException closedEarly) {
                log.debug("--on-event command closed its input: {}", closedEarly.toString());
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                log.warn("--on-event command still running after {} s: killed", TIMEOUT_SECONDS);
            } else if (process.exitValue() != 0) {
                log.warn("--on-event command exited with {} for a '{}' event", process.exitValue(), fields.get("event"));
            }
        } catch (IOException e) {
            log.warn("--on-event command cannot run: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets the events already queued run, for a short while. */
    @Override
    public void close() {
        runner.shutdown();
        try {
            runner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
