package caret.launcher.config;

import java.io.Serial;
import java.util.List;

/**
 * A configuration file was refused. Each problem is one line:
 * {@code caret.json:14:22 at $.servers.db-prod.forwards.web.localPort: 70000 is out of range; use a port from 1 to 65535 (0 lets the system pick)},
 * or the file alone when it is about the whole file. No problem repeats an option's value.
 */
public final class ConfigException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    /** An array, which is serializable as a declared type, unlike {@link List}. */
    private final String[] problems;

    ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = problems.toArray(String[]::new);
    }

    /** Every problem found, in file order; at least one. */
    public List<String> problems() {
        return List.of(problems);
    }
}
