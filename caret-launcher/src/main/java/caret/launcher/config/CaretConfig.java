package caret.launcher.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A configuration file that was read and found valid: servers and their forwards, in file order.
 * Made by {@link ConfigFile#read}; reading it starts nothing.
 *
 * @param file the file it was read from
 * @param onEvent the command to run with each forward event as JSON on its standard input, or
 *     {@code null} for none; a server's own {@link ServerConfig#onEvent()} takes precedence
 * @param servers at least one
 * @param warnings things worth telling the user that do not stop the file from loading, each a
 *     line as {@code FILE:LINE:COLUMN at PATH: what, and what to do}
 */
public record CaretConfig(Path file, String onEvent, List<ServerConfig> servers, List<String> warnings) {

    public CaretConfig {
        Objects.requireNonNull(file, "file");
        servers = List.copyOf(servers);
        warnings = List.copyOf(warnings);
    }
}
