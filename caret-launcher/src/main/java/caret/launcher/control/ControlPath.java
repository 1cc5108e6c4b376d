package caret.launcher.control;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the control socket lives unless {@code -S} says: {@code $XDG_RUNTIME_DIR/caret/control}
 * (a per-user, private folder on systemd machines), else {@code ~/.caret/control}.
 */
public final class ControlPath {

    private ControlPath() {
    }

    public static Path defaultPath() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "caret", "control");
        }
        return Path.of(System.getProperty("user.home"), ".caret", "control");
    }
}
