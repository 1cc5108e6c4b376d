package caret.launcher.config;

import tools.jackson.databind.JsonNode;

/** A value as a problem shows it: short, and never an option's value, which may be a password. */
final class ValueText {

    private static final int LONGEST = 40;

    private ValueText() {
    }

    /**
     * {@code "db.example.com"}, {@code 70000}, {@code an object}, {@code a number beyond any double};
     * {@code this value} under {@code options}.
     */
    static String of(JsonNode value, ConfigPath path) {
        if (path.inOptions()) {
            return "this value";
        }
        if (value.isObject()) {
            return value.isEmpty() ? "{}" : "an object";
        }
        if (value.isArray()) {
            return value.isEmpty() ? "[]" : "a list";
        }
        if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
            return "a number beyond any double"; // 1e400 in the file; Jackson writes it as the text "Infinity"
        }
        String json = value.toString();
        return json.length() <= LONGEST ? json : json.substring(0, LONGEST - 1) + "…";
    }

    /** What sort of value it is, in plain words: {@code text}, {@code a whole number}. */
    static String sort(JsonNode value) {
        if (value.isString()) {
            return "text";
        }
        if (value.isIntegralNumber()) {
            return "a whole number";
        }
        if (value.isNumber()) {
            return "a number with a fraction";
        }
        if (value.isBoolean()) {
            return "true or false";
        }
        if (value.isNull()) {
            return "null";
        }
        return value.isArray() ? "a list" : "an object";
    }

    /** A JSON Schema type name in plain words. */
    static String sort(String schemaType) {
        return switch (schemaType) {
            case "string" -> "text";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "array" -> "a list";
            case "object" -> "an object";
            default -> schemaType;
        };
    }
}
