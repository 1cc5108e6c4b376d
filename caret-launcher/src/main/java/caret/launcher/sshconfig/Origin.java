package caret.launcher.sshconfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a configuration line was read: the file as it was named (by {@code -F}, or found as
 * {@code ~/.ssh/config}, or by an {@code Include}) and its line number, counted from 1.
 *
 * @param file the file
 * @param line the line number, from 1
 */
public record Origin(Path file, int line) {

    public Origin {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line " + line + " is not a line number");
        }
    }

    /** {@code file:line}, as compilers and OpenSSH name a line. */
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
