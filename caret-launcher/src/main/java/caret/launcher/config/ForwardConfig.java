package caret.launcher.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One named forward of a server. Whether the file gave a {@code spec} or the fields
 * ({@code localPort}, {@code destinationHost}, …), {@link #spec()} is the OpenSSH-style spec string
 * the forward type parses: {@code [bind:]port:host:hostport} or {@code [bind:]port}.
 *
 * @param name the forward's name, unique within its server
 * @param kind the forward type's id: {@code local}, {@code reverse}, {@code dynamic} or a plugin's
 * @param spec the spec for the forward type
 * @param enabled false when the file says {@code "enabled": false}
 * @param options settings for the forward type, in file order; values may be secrets, so
 *     {@link #toString()} shows only the names
 */
public record ForwardConfig(String name, String kind, String spec, boolean enabled, Map<String, String> options) {

    public ForwardConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spec, "spec");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Names the options but never shows their values, which may be passwords. */
    @Override
    public String toString() {
        return "ForwardConfig[name=" + name + ", kind=" + kind + ", spec=" + spec + ", enabled=" + enabled
                + ", options=" + options.keySet() + "]";
    }
}
