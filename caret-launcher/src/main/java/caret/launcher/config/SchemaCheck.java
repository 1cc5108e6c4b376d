package caret.launcher.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a file against {@code docs/caret-config.schema.json} (shipped in this package) and says
 * each violation in the problem format: plain words, then what to write, taken from the schema's
 * own {@code description}s and {@code examples}.
 */
final class SchemaCheck {

    static final String RESOURCE = "caret-config.schema.json";

    /**
     * The spec-or-fields rule of each kind. {@link ForwardShape} checks the same rule and says it in
     * plainer words, so these are reported only for a forward where it found nothing.
     */
    private static final Set<String> SHAPE_DEFINITIONS = Set.of("localForward", "reverseForward", "dynamicForward", "pluginForward");

    private static final SchemaCheck INSTANCE = load();

    private final JsonNode schemaJson;
    private final Schema schema;

    private SchemaCheck(JsonNode schemaJson, Schema schema) {
        this.schemaJson = schemaJson;
        this.schema = schema;
    }

    static SchemaCheck instance() {
        return INSTANCE;
    }

    /**
     * One violation.
     *
     * @param problem what to tell the user
     * @param subject the value that breaks the rule; for {@code shape}, the forward
     * @param shape whether it breaks the spec-or-fields rule of a forward
     */
    record Finding(Problem problem, ConfigPath subject, boolean shape) {
    }

    List<Finding> check(LocatedJson json) {
        List<Finding> findings = new ArrayList<>();
        for (Error error : schema.validate(wholeNumbersBeyondLong(json.root()))) {
            NodePath rule = error.getSchemaLocation().getFragment();
            boolean shape = rule.getNameCount() >= 2 && "$defs".equals(rule.getName(0)) && SHAPE_DEFINITIONS.contains(rule.getName(1));
            ConfigPath at = path(error.getInstanceLocation());
            findings.add(new Finding(problem(error, json), shape ? forward(at) : at, shape));
        }
        return findings;
    }

    /**
     * {@code node} with each floating-point number beyond a long's range (such as {@code 8e80},
     * which is whole, or {@code 1e400}, an infinity to Jackson) as a whole number of any size, in a
     * copy. The validator checks a floating-point value against a whole-number {@code minimum} or
     * {@code maximum} by converting it to a long, which Jackson refuses beyond that range; whole
     * numbers of any size it compares. Problems show the value as written, from the file's tree.
     */
    private static JsonNode wholeNumbersBeyondLong(JsonNode node) {
        if (isFloatBeyondLong(node)) {
            return wholeNumber(node);
        }
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            object.properties().forEach(property -> copy.set(property.getKey(), wholeNumbersBeyondLong(property.getValue())));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = array.arrayNode();
            array.forEach(element -> copy.add(wholeNumbersBeyondLong(element)));
            return copy;
        }
        return node;
    }

    private static boolean isFloatBeyondLong(JsonNode node) {
        return node.isFloatingPointNumber() && !node.canConvertToLong();
    }

    /** The whole number {@code floating} is; for an infinity ({@code 1e400} in the file), one beyond every double. */
    private static JsonNode wholeNumber(JsonNode floating) {
        double value = floating.doubleValue();
        BigInteger whole = Double.isFinite(value) ? floating.decimalValue().toBigInteger()
                : BigInteger.ONE.shiftLeft(1024).multiply(BigInteger.valueOf(value < 0 ? -1 : 1));
        return JsonNodeFactory.instance.numberNode(whole);
    }

    private Problem problem(Error error, LocatedJson json) {
        ConfigPath at = path(error.getInstanceLocation());
        NodePath rule = error.getSchemaLocation().getFragment();
        JsonNode keyword = schemaAt(rule);
        JsonNode owner = schemaAt(rule.getParent());
        JsonNode value = json.node(at);
        String shown = ValueText.of(value, at);
        String use = hint(owner).map(hint -> "; use " + hint).orElse(" (" + error.getMessage() + ")");
        return switch (error.getKeyword()) {
            case "additionalProperties" -> {
                ConfigPath unknown = at.child(error.getProperty());
                yield new Problem(json.nameAt(unknown), unknown, unknownProperty(error.getProperty(), owner.path("properties").propertyNames()));
            }
            case "propertyNames" -> {
                ConfigPath named = at.child(error.getProperty());
                String name = ValueText.of(JsonNodeFactory.instance.stringNode(error.getProperty()), ConfigPath.root());
                yield new Problem(json.nameAt(named), named, name + " is not a valid name"
                        + hint(keyword).map(hint -> "; use " + hint).orElse(" (" + error.getMessage() + ")"));
            }
            case "required" -> new Problem(json.valueAt(at), at, missing(error.getProperty(), owner.path("properties").path(error.getProperty())));
            case "type" -> new Problem(json.valueAt(at), at, (value.isNull() ? "null is not allowed here"
                    : shown + " is " + ValueText.sort(value) + ", not " + ValueText.sort(keyword.asString())) + use);
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> new Problem(json.valueAt(at), at, shown + " is out of range" + use);
            case "minLength" -> new Problem(json.valueAt(at), at, shown + " is empty" + use);
            case "maxLength" -> new Problem(json.valueAt(at), at, shown + " is too long" + use);
            case "minProperties" -> new Problem(json.valueAt(at), at, shown + " has nothing in it" + use);
            case "pattern", "enum", "const" -> new Problem(json.valueAt(at), at, shown + " is not allowed" + use);
            default -> new Problem(json.valueAt(at), at, error.getMessage() + hint(owner).map(hint -> "; use " + hint).orElse(""));
        };
    }

    private static String unknownProperty(String name, Collection<String> allowed) {
        return "unknown property \"" + name + "\""
                + DidYouMean.closest(name, allowed).map(closest -> "; did you mean \"" + closest + "\"? Allowed here: ")
                        .orElse("; allowed here: ")
                + String.join(", ", allowed);
    }

    private Optional<String> hint(JsonNode schemaNode) {
        if (schemaNode.path("description").isString()) {
            return Optional.of(schemaNode.path("description").asString());
        }
        String ref = schemaNode.path("$ref").asString("");
        return ref.startsWith("#/") ? hint(schemaJson.at(ref.substring(1))) : Optional.empty();
    }

    private String missing(String property, JsonNode propertySchema) {
        JsonNode example = propertySchema.path("examples").path(0);
        if (!example.isMissingNode()) {
            return "\"" + property + "\" is missing; add it, e.g. \"" + property + "\": " + example;
        }
        return "\"" + property + "\" is missing" + hint(propertySchema).map(hint -> "; add it: " + hint).orElse("; add it");
    }

    private JsonNode schemaAt(NodePath fragment) {
        JsonNode node = schemaJson;
        for (int i = 0; i < fragment.getNameCount(); i++) {
            node = node.isArray() ? node.path(Integer.parseInt(fragment.getName(i))) : node.path(fragment.getName(i));
        }
        return node;
    }

    /** The forward that {@code at} is or lies in: {@code $.servers.S.forwards.F}. */
    private static ConfigPath forward(ConfigPath at) {
        return new ConfigPath(at.segments().subList(0, 4));
    }

    private static ConfigPath path(NodePath instance) {
        ConfigPath path = ConfigPath.root();
        for (int i = 0; i < instance.getNameCount(); i++) {
            Object element = instance.getElement(i);
            path = element instanceof Integer index ? path.index(index) : path.child(String.valueOf(element));
        }
        return path;
    }

    private static SchemaCheck load() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the launcher jar: rebuild it with Maven");
            }
            JsonNode schemaJson = JsonMapper.builder().build().readTree(in);
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(SchemaLocation.of(schemaJson.path("$id").asString()), schemaJson);
            return new SchemaCheck(schemaJson, schema);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE + " from the launcher jar", e);
        }
    }
}
