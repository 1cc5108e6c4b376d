package caret.launcher.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The fields a built-in kind of forward may have instead of a {@code spec}, and how they become
 * one: {@code [bindAddress:]localPort:destinationHost:destinationPort} and so on, IPv6 addresses in
 * brackets. The schema states the same rule ({@code $defs/localForward} …); this says what is wrong
 * in plainer words.
 */
enum ForwardShape {
    LOCAL("local", "5432:127.0.0.1:5432", "bindAddress", "localPort", "destinationHost", "destinationPort"),
    REVERSE("reverse", "9000:127.0.0.1:3000", "bindAddress", "remotePort", "destinationHost", "destinationPort"),
    DYNAMIC("dynamic", "1080", "localAddress", "localPort");

    /** Every field of every built-in kind. */
    static final Set<String> FIELDS = Arrays.stream(values()).flatMap(shape -> shape.fields().stream())
            .collect(Collectors.toUnmodifiableSet());

    private final String kind;
    private final String exampleSpec;
    private final String optional;
    private final List<String> required;

    ForwardShape(String kind, String exampleSpec, String optional, String... required) {
        this.kind = kind;
        this.exampleSpec = exampleSpec;
        this.optional = optional;
        this.required = List.of(required);
    }

    static Optional<ForwardShape> of(String kind) {
        return Arrays.stream(values()).filter(shape -> shape.kind.equals(kind)).findFirst();
    }

    /** The fields in spec order: the optional address first. */
    List<String> fields() {
        return Stream.concat(Stream.of(optional), required.stream()).toList();
    }

    /**
     * What is wrong with the keys of a forward of this kind: fields of another kind, both a spec and
     * fields, or neither, or some fields missing.
     */
    List<Problem> check(ConfigPath at, JsonNode forward, LocatedJson json) {
        List<Problem> problems = new ArrayList<>();
        List<String> given = forward.propertyNames().stream().filter(FIELDS::contains).toList();
        for (String field : given) {
            if (!fields().contains(field)) {
                problems.add(new Problem(json.nameAt(at.child(field)), at.child(field), "\"" + field + "\" is not a field of a "
                        + kind + " forward, which takes " + fieldList()
                        + counterpart(field).map(mine -> "; did you mean \"" + mine + "\"?").orElse("")));
            }
        }
        List<String> own = given.stream().filter(fields()::contains).toList();
        if (forward.has("spec") && !own.isEmpty()) {
            ConfigPath first = at.child(own.getFirst());
            problems.add(new Problem(json.nameAt(first), first, "both \"spec\" and fields (" + String.join(", ", own)
                    + ") are given; keep one: either \"spec\" or the fields"));
        } else if (!forward.has("spec") && own.isEmpty()) {
            problems.add(new Problem(json.valueAt(at), at, "a " + kind + " forward needs \"spec\", e.g. \"spec\": \"" + exampleSpec
                    + "\", or the fields " + fieldList()));
        } else if (!forward.has("spec")) {
            for (String field : required) {
                if (!forward.has(field)) {
                    problems.add(new Problem(json.valueAt(at), at, "\"" + field + "\" is missing; a " + kind
                            + " forward given by fields needs " + fieldList()));
                }
            }
        }
        return problems;
    }

    /** The spec as written, or made from the fields; for a forward that {@link #check} and the schema found valid. */
    String spec(JsonNode forward) {
        if (forward.has("spec")) {
            return forward.get("spec").asString();
        }
        return fields().stream().filter(forward::has).map(field -> {
            String value = forward.get(field).asString();
            return value.indexOf(':') >= 0 ? "[" + value + "]" : value;
        }).collect(Collectors.joining(":"));
    }

    /** This kind's field in the place {@code field} has in another kind: {@code localPort} for {@code remotePort}. */
    private Optional<String> counterpart(String field) {
        return Arrays.stream(values()).filter(other -> other.fields().contains(field)).findFirst()
                .map(other -> other.fields().indexOf(field)).filter(place -> place < fields().size()).map(fields()::get);
    }

    private String fieldList() {
        return String.join(", ", required) + " and optionally " + optional;
    }
}
