package caret.launcher.config;

import java.util.Objects;
import java.util.Set;

/**
 * What is installed, for the checks a JSON schema cannot make: the forward types a {@code kind} may
 * name, the transports a {@code transport} may name, and the engine's check of each spec. With the
 * engine:
 *
 * <pre>{@code
 * new ConfigContext(caret.forwardTypeIds(), caret.transportIds(), (kind, spec, options) -> caret.parse(kind, spec))
 * }</pre>
 *
 * @param kinds ids of the installed forward types
 * @param transports ids of the installed transports
 * @param specs checks each forward whose kind is installed and whose keys are valid
 */
public record ConfigContext(Set<String> kinds, Set<String> transports, SpecCheck specs) {

    public ConfigContext {
        kinds = Set.copyOf(kinds);
        transports = Set.copyOf(transports);
        Objects.requireNonNull(specs, "specs");
    }
}
