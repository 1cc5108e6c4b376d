package caret.launcher.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The checks a JSON schema cannot make: a kind or transport that is not installed, the
 * spec-or-fields rule in plain words, the engine's own check of each spec, {@code ~user} paths and
 * the port of a {@code proxyJump}. Runs on any well-formed JSON and looks only at values of the right
 * type; wrong types are the schema's to report.
 */
final class ConfigChecks {

    private static final Pattern JUMP_PORT = Pattern.compile(":(\\d{1,5})$");

    private final LocatedJson json;
    private final ConfigContext context;
    private final Predicate<ConfigPath> schemaFound;
    private final List<Problem> problems = new ArrayList<>();

    private ConfigChecks(LocatedJson json, ConfigContext context, Predicate<ConfigPath> schemaFound) {
        this.json = json;
        this.context = context;
        this.schemaFound = schemaFound;
    }

    /**
     * @param schemaFound whether the schema found a problem at or inside a path; such a forward is
     *     not given to the {@link SpecCheck}
     */
    static List<Problem> check(LocatedJson json, ConfigContext context, Predicate<ConfigPath> schemaFound) {
        ConfigChecks checks = new ConfigChecks(json, context, schemaFound);
        checks.servers();
        return checks.problems;
    }

    private void servers() {
        ConfigPath servers = ConfigPath.root().child("servers");
        for (Map.Entry<String, JsonNode> server : json.node(servers).properties()) {
            if (server.getValue().isObject()) {
                server(servers.child(server.getKey()), server.getValue());
            }
        }
    }

    private void server(ConfigPath at, JsonNode server) {
        text(server, "transport").filter(id -> !context.transports().contains(id)).ifPresent(id ->
                problem(at.child("transport"), "no transport \"" + id + "\" is installed" + choices(id, context.transports())));
        text(server, "proxyJump").ifPresent(jump -> {
            Matcher port = JUMP_PORT.matcher(jump);
            if (port.find() && (Integer.parseInt(port.group(1)) < 1 || Integer.parseInt(port.group(1)) > 65535)) {
                problem(at.child("proxyJump"), "port " + port.group(1) + " is out of range; use a port from 1 to 65535, e.g. \"deploy@bastion.example.com:22\"");
            }
        });
        for (String list : List.of("identities", "knownHosts")) {
            JsonNode paths = server.path(list);
            for (int i = 0; paths.isArray() && i < paths.size(); i++) {
                JsonNode path = paths.get(i);
                if (path.isString() && path.asString().startsWith("~") && !path.asString().equals("~") && !path.asString().startsWith("~/")) {
                    problem(at.child(list).index(i), "only ~/ is expanded (your home folder), not ~user; write the full path, e.g. \"/home/"
                            + path.asString().substring(1).split("/", 2)[0] + "/…\"");
                }
            }
        }
        ConfigPath forwards = at.child("forwards");
        for (Map.Entry<String, JsonNode> forward : server.path("forwards").properties()) {
            if (forward.getValue().isObject()) {
                forward(forwards.child(forward.getKey()), forward.getValue());
            }
        }
    }

    private void forward(ConfigPath at, JsonNode forward) {
        Optional<String> kind = text(forward, "kind");
        if (kind.isEmpty()) {
            return;
        }
        int before = problems.size();
        if (!context.kinds().contains(kind.get())) {
            problem(at.child("kind"), "no forward type \"" + kind.get() + "\" is installed" + choices(kind.get(), context.kinds()));
        }
        Optional<ForwardShape> shape = ForwardShape.of(kind.get());
        if (shape.isPresent()) {
            problems.addAll(shape.get().check(at, forward, json));
        } else {
            pluginShape(at, forward, kind.get());
        }
        if (problems.size() == before && !schemaFound.test(at)) {
            String spec = shape.map(s -> s.spec(forward)).orElseGet(() -> forward.get("spec").asString());
            try {
                context.specs().check(kind.get(), spec, options(forward));
            } catch (Exception e) {
                String message = e.getMessage() != null ? e.getMessage() : e.toString();
                ConfigPath where = forward.has("spec") ? at.child("spec") : at;
                problem(where, forward.has("spec") ? message : message + " (the spec made from the fields)");
            }
        }
    }

    private void pluginShape(ConfigPath at, JsonNode forward, String kind) {
        String form = "the text you would give to --forward " + kind + "=SPEC";
        String forwardOfKind = "a forward of kind \"" + kind + "\"";
        for (String field : forward.propertyNames()) {
            if (ForwardShape.FIELDS.contains(field)) {
                problems.add(new Problem(json.nameAt(at.child(field)), at.child(field), "\"" + field
                        + "\" is a field of the built-in kinds only; write " + forwardOfKind + " as \"spec\": " + form));
            }
        }
        if (!forward.has("spec")) {
            problems.add(new Problem(json.valueAt(at), at, forwardOfKind + " needs \"spec\": " + form));
        }
    }

    private static Map<String, String> options(JsonNode forward) {
        Map<String, String> options = new LinkedHashMap<>();
        forward.path("options").properties().forEach(option -> options.put(option.getKey(), option.getValue().asString()));
        return options;
    }

    private static Optional<String> text(JsonNode object, String name) {
        JsonNode value = object.path(name);
        return value.isString() ? Optional.of(value.asString()) : Optional.empty();
    }

    /** {@code ; did you mean "local"? Installed: dynamic, local, reverse (see 'caret plugins')} */
    private static String choices(String given, Set<String> installed) {
        String ids = String.join(", ", new TreeSet<>(installed));
        return DidYouMean.closest(given, installed).map(closest -> "; did you mean \"" + closest + "\"? Installed: ")
                .orElse("; installed: ") + ids + " (see 'caret plugins')";
    }

    private void problem(ConfigPath at, String message) {
        problems.add(new Problem(json.valueAt(at), at, message));
    }
}
