package caret.launcher.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a value sits in the configuration file, written as a JSON path:
 * {@code $.servers.db-prod.forwards.web.localPort}. A segment is a property name (a {@link String})
 * or a list index (an {@link Integer}).
 */
record ConfigPath(List<Object> segments) {

    private static final ConfigPath ROOT = new ConfigPath(List.of());
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

    ConfigPath {
        segments = List.copyOf(segments);
    }

    static ConfigPath root() {
        return ROOT;
    }

    ConfigPath child(String name) {
        return append(name);
    }

    ConfigPath index(int index) {
        return append(index);
    }

    /** The path one step up; the root is its own parent. */
    ConfigPath parent() {
        return segments.isEmpty() ? this : new ConfigPath(segments.subList(0, segments.size() - 1));
    }

    /** True when this path is {@code other} or lies inside it. */
    boolean within(ConfigPath other) {
        return segments.size() >= other.segments.size()
                && segments.subList(0, other.segments.size()).equals(other.segments);
    }

    /** True for a forward's {@code options} and everything in them: values there may be secrets. */
    boolean inOptions() {
        return segments.size() >= 5 && segments.get(0).equals("servers") && segments.get(2).equals("forwards")
                && segments.get(4).equals("options");
    }

    private ConfigPath append(Object segment) {
        List<Object> longer = new ArrayList<>(segments);
        longer.add(segment);
        return new ConfigPath(longer);
    }

    /** {@code $}, {@code .name} for plain names, {@code ['odd name']} otherwise, {@code [0]} for indexes. */
    @Override
    public String toString() {
        StringBuilder path = new StringBuilder("$");
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else if (PLAIN.matcher((String) segment).matches()) {
                path.append('.').append(segment);
            } else {
                path.append("['").append(((String) segment).replace("\\", "\\\\").replace("'", "\\'")).append("']");
            }
        }
        return path.toString();
    }
}
