package caret.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed, valid forward spec. The fields cover the OpenSSH forms; a type uses those it needs.
 *
 * @param type the {@link ForwardType#id()} that parsed it
 * @param text the spec as the user wrote it, for messages
 * @param bindAddress the address to listen on as the user wrote it, or {@code null} for the
 *     default (loopback)
 * @param port the port to listen on; 0 lets the listener choose
 * @param target where connections go, or {@code null} when each connection says (dynamic)
 * @param options named settings the type accepted besides the text, such as {@code user} and
 *     {@code password} for a SOCKS proxy; empty for most forwards. Values may be secrets: never
 *     log, print or serialize them. Copied, unmodifiable.
 */
@Experimental
public record ForwardSpec(String type, String text, String bindAddress, int port, Endpoint target,
        Map<String, String> options) {

    public ForwardSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(options, "options");
        if (bindAddress != null && bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must be null or not blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: use 0 to 65535");
        }
        options = Map.copyOf(options);
    }

    /** A spec without options, as most forward types make. */
    public ForwardSpec(String type, String text, String bindAddress, int port, Endpoint target) {
        this(type, text, bindAddress, port, target, Map.of());
    }

    /** The bind address the user asked for, if any. */
    public Optional<String> bind() {
        return Optional.ofNullable(bindAddress);
    }

    /** The fixed destination, if this kind has one. */
    public Optional<Endpoint> destination() {
        return Optional.ofNullable(target);
    }

    /** The type and the spec as written: {@code dynamic 1080}. Never the options, which may hold secrets. */
    @Override
    public String toString() {
        return type + " " + text;
    }
}
