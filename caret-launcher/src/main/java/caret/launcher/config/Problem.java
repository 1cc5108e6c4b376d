package caret.launcher.config;

import java.util.Comparator;

/**
 * One thing wrong with the file: where, and what to write instead.
 *
 * @param position where in the file, or {@code null} when it is about the whole file
 * @param path the JSON path of the value, or {@code null} when it is about the whole file
 * @param message what is wrong and what to write instead; never a secret's value
 */
record Problem(Position position, ConfigPath path, String message) {

    /** In file order; problems about the whole file first. */
    static final Comparator<Problem> IN_FILE_ORDER = Comparator.comparing(Problem::position,
            Comparator.nullsFirst(Comparator.naturalOrder()));

    /** {@code caret.json:14:22 at $.servers.db.port: 70000 is out of range; use …} */
    String render(String file) {
        StringBuilder text = new StringBuilder(file);
        if (position != null) {
            text.append(':').append(position);
        }
        if (path != null) {
            text.append(" at ").append(path);
        }
        return text.append(": ").append(message).toString();
    }
}
