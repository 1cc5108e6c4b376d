package caret.launcher.config;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A JSON document with the position of every value and property name in it, which Jackson's
 * {@link JsonNode} does not keep.
 *
 * @param root the document
 * @param values where each value starts, by path
 * @param names where each property name starts, by the path of its value
 */
record LocatedJson(JsonNode root, Map<ConfigPath, Position> values, Map<ConfigPath, Position> names) {

    LocatedJson {
        values = Map.copyOf(values);
        names = Map.copyOf(names);
    }

    /** Where the value at {@code path} starts; for a value that is not there, where its nearest enclosing one does. */
    Position valueAt(ConfigPath path) {
        ConfigPath at = path;
        while (!values.containsKey(at) && !at.segments().isEmpty()) {
            at = at.parent();
        }
        return values.get(at);
    }

    /** Where the property name of {@code path} starts; for list items and the root, where the value does. */
    Position nameAt(ConfigPath path) {
        Position name = names.get(path);
        return name != null ? name : valueAt(path);
    }

    /** The value at {@code path}, or a missing node. */
    JsonNode node(ConfigPath path) {
        JsonNode node = root;
        for (Object segment : path.segments()) {
            node = segment instanceof Integer index ? node.path(index) : node.path((String) segment);
        }
        return node;
    }
}
