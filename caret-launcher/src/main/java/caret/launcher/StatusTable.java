package caret.launcher;

import caret.launcher.control.ForwardReport;
import caret.launcher.control.ServerReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code caret status} for people: each server, then a table of its forwards. */
final class StatusTable {

    private static final List<String> HEADER = List.of("FORWARD", "KIND", "CONNECT TO", "STATE", "CONNS", "SENT", "RECEIVED", "LAST ERROR");

    private StatusTable() {
    }

    static String render(List<ServerReport> servers) {
        if (servers.isEmpty()) {
            return "No servers.\n";
        }
        StringBuilder text = new StringBuilder();
        for (ServerReport server : servers) {
            text.append(server.name()).append("  ").append(server.host()).append(':').append(server.port())
                    .append(" (").append(server.transport()).append(")  ").append(connection(server)).append('\n');
            if (server.forwards().isEmpty()) {
                text.append("  no forwards\n\n");
                continue;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (ForwardReport forward : server.forwards()) {
                rows.add(List.of(forward.name(), forward.kind() + " " + forward.spec(),
                        forward.connectTo() == null ? "-" : forward.connectTo() + (forward.onServer() ? " (on server)" : ""),
                        forward.state().toLowerCase(Locale.ROOT), Integer.toString(forward.openConnections()),
                        bytes(forward.bytesToServer()), bytes(forward.bytesFromServer()),
                        forward.lastError() == null ? "" : forward.lastError()));
            }
            table(rows, text);
            text.append('\n');
        }
        return text.toString();
    }

    private static String connection(ServerReport server) {
        return switch (server.state()) {
            case "UP" -> "connected";
            case "RECONNECTING" -> "reconnecting, attempt " + server.attempt() + ": " + server.lastError();
            case "FAILED" -> "failed: " + server.lastError();
            default -> server.state().toLowerCase(Locale.ROOT);
        };
    }

    private static void table(List<List<String>> rows, StringBuilder text) {
        int columns = HEADER.size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row.get(c) : pad(row.get(c), width[c] + 2));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
