package caret.core;

import java.util.Objects;

/**
 * One discovered plugin, as {@code caret plugins} lists it.
 *
 * @param kind {@link Kind#FORWARD_TYPE} or {@link Kind#TRANSPORT}
 * @param id its id, such as {@code local} or {@code sshd}
 * @param description one line from the plugin
 * @param module the module it came from, or {@code unnamed} on the class path
 * @param version the module's version, or {@code -} when it has none
 * @param location the jar or folder it was loaded from, or {@code -} when unknown
 */
public record PluginInfo(Kind kind, String id, String description, String module, String version, String location) {

    /** The two kinds of plugin. */
    public enum Kind {
        FORWARD_TYPE,
        TRANSPORT
    }

    public PluginInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(location, "location");
    }
}
