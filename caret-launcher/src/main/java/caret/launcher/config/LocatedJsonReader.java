package caret.launcher.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads strict JSON into a {@link LocatedJson}, noting the position of each value and property name
 * as it streams. A property name that appears twice in one object is a problem (the first one
 * counts, reading goes on, so that every other problem is found too); a syntax error ends reading
 * with one problem that says what is wrong there in plain words.
 */
final class LocatedJsonReader {

    /** Jackson's defaults are strict JSON: no comments, no single quotes, no trailing commas. */
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final byte[] content;
    private final List<Problem> problems;
    private final Map<ConfigPath, Position> values = new HashMap<>();
    private final Map<ConfigPath, Position> names = new HashMap<>();
    private JsonParser parser;
    private ConfigPath at = ConfigPath.root();

    private LocatedJsonReader(byte[] content, List<Problem> problems) {
        this.content = content;
        this.problems = problems;
    }

    /**
     * Reads {@code content} (UTF-8). Problems found go to {@code problems}.
     *
     * @return the document, or empty after a syntax error or when there is no JSON at all
     */
    static Optional<LocatedJson> read(byte[] content, List<Problem> problems) {
        return new LocatedJsonReader(content, problems).read();
    }

    private Optional<LocatedJson> read() {
        try (JsonParser json = JSON.createParser(ObjectReadContext.empty(), content)) {
            parser = json;
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(new Problem(null, null, "the file is empty; write {\"servers\": {…}} as shown in docs/configuration.md"));
                return Optional.empty();
            }
            JsonNode root = value(first);
            if (parser.nextToken() != null) {
                problems.add(new Problem(position(parser.currentTokenLocation()), ConfigPath.root(),
                        "there is more after the end of the top-level value; everything belongs in one {…}, so remove this or move it inside"));
                return Optional.empty();
            }
            return Optional.of(new LocatedJson(root, values, names));
        } catch (JacksonException e) {
            SyntaxHint hint = SyntaxHint.describe(e, content);
            // no parser when Jackson could not even start, as on bytes in no encoding it detects
            ConfigPath where = parser == null ? ConfigPath.root() : path(parser.streamReadContext());
            problems.add(new Problem(position(e.getLocation()), hint.betweenEntries() ? where.parent() : where, hint.words()));
            return Optional.empty();
        }
    }

    private JsonNode value(JsonToken token) {
        values.put(at, position(parser.currentTokenLocation()));
        return switch (token) {
            case START_OBJECT -> object();
            case START_ARRAY -> array();
            case VALUE_STRING -> NODES.stringNode(parser.getString());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("JSON parser gave " + token + " where a value starts");
        };
    }

    private ObjectNode object() {
        ObjectNode object = NODES.objectNode();
        ConfigPath self = at;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            ConfigPath child = self.child(name);
            Position namePosition = position(parser.currentTokenLocation());
            at = child;
            JsonToken token = parser.nextToken();
            if (object.has(name)) {
                Position first = names.get(child);
                problems.add(new Problem(namePosition, child, "\"" + name + "\" appears a second time in this object (first at line "
                        + first.line() + ", column " + first.column() + "); keep only one"));
                parser.skipChildren();
            } else {
                names.put(child, namePosition);
                object.set(name, value(token));
            }
            at = self;
        }
        return object;
    }

    private ArrayNode array() {
        ArrayNode array = NODES.arrayNode();
        ConfigPath self = at;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            at = self.index(array.size());
            array.add(value(token));
            at = self;
        }
        return array;
    }

    /**
     * Where the parser is, from its own context: Jackson reads a property's value together with its
     * name, so a syntax error in the value comes before this reader has stepped into it.
     */
    private static ConfigPath path(TokenStreamContext context) {
        List<Object> segments = new ArrayList<>();
        for (TokenStreamContext level = context; level != null && !level.inRoot(); level = level.getParent()) {
            if (level.inObject() && level.currentName() != null) {
                segments.addFirst(level.currentName());
            } else if (level.inArray() && level.getCurrentIndex() >= 0) {
                segments.addFirst(level.getCurrentIndex());
            }
        }
        return new ConfigPath(segments);
    }

    private static Position position(TokenStreamLocation location) {
        return new Position(location.getLineNr(), location.getColumnNr());
    }
}
