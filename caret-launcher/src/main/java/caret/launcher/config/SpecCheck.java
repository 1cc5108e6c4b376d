package caret.launcher.config;

import java.util.Map;

/**
 * Checks one forward's spec the way the engine will parse it. The caller wires it to the engine,
 * for example {@code (kind, spec, options) -> caret.parse(kind, spec)}.
 */
@FunctionalInterface
public interface SpecCheck {

    /**
     * @param kind an installed forward type's id
     * @param spec the spec, as written or as made from the fields
     * @param options the forward's options
     * @throws Exception when the forward is not valid; its message becomes a problem at the
     *     forward's place in the file, so it should say what is wrong and what to write, and never
     *     repeat an option's value
     */
    void check(String kind, String spec, Map<String, String> options) throws Exception;
}
