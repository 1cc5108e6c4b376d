package caret.spi;

import java.util.Map;
import java.util.TreeSet;

/**
 * A kind of forward, such as {@code local} ({@code -L}), {@code reverse} ({@code -R}) or
 * {@code dynamic} ({@code -D}). Found with {@link java.util.ServiceLoader}: a plugin module
 * {@code provides caret.spi.ForwardType} and ships {@code META-INF/services/caret.spi.ForwardType}.
 *
 * <p>A forward type is built only on this SPI: it opens channels and listens through
 * {@link ForwardContext#connection()} and lets the engine pump bytes, so it works on every
 * {@link SshTransport}. Implementations are stateless and thread-safe; all state of a running
 * forward lives in what {@link #start} returns.
 */
@Experimental
public interface ForwardType {

    /**
     * A short, lowercase, stable name: {@code local}, {@code reverse}, {@code dynamic}. Built-in ids
     * are reserved. Never blank.
     */
    String id();

    /** One line for {@code caret plugins} and help texts. */
    String description();

    /** The spec's expected form, for error messages: {@code [bind_address:]port:host:hostport}. */
    String usage();

    /**
     * Parses and validates a spec as the user wrote it.
     *
     * @throws InvalidSpecException naming the spec, what is wrong and the expected form
     */
    ForwardSpec parse(String text) throws InvalidSpecException;

    /**
     * Parses a spec with named options besides its text, such as {@code user} and {@code password}
     * for a SOCKS proxy; a configuration file gives them, the command line through options of its
     * own. The options a type accepts end up in {@link ForwardSpec#options()}. Option values may be
     * secrets: never put them in a message.
     *
     * <p>This default takes no options: empty options parse as {@link #parse(String)}; any option is
     * an {@link InvalidSpecException} naming it. A type with options overrides this method.
     *
     * @param options option names to values; empty for none
     * @throws InvalidSpecException naming the spec and what is wrong with it or its options
     */
    @Experimental
    default ForwardSpec parse(String text, Map<String, String> options) throws InvalidSpecException {
        if (options.isEmpty()) {
            return parse(text);
        }
        TreeSet<String> names = new TreeSet<>(options.keySet());
        throw new InvalidSpecException(id() + " forward", text,
                (names.size() == 1 ? "unknown option '" : "unknown options '") + String.join("', '", names)
                        + "': a " + id() + " forward takes no options", usage());
    }

    /**
     * Starts a forward on a live connection and returns once it accepts connections.
     *
     * @param spec a spec this type parsed
     * @param context the engine's services for this one forward
     * @throws ForwardException when it cannot be set up; nothing is left running then
     */
    RunningForward start(ForwardSpec spec, ForwardContext context) throws ForwardException;
}
