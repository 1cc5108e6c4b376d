package caret.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The figures of the reliability tests, one line each, in {@code target/reliability.txt}: docs/reliability.md quotes them. */
final class Reliability {

    private static final Path FILE = Path.of("target", "reliability.txt");

    private Reliability() {
    }

    static synchronized void record(String line) {
        try {
            Files.writeString(FILE, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
