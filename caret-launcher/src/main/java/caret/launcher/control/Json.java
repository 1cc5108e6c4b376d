package caret.launcher.control;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the control socket and the event hook, made on first use: a run that never
 * gets a control request or an event never loads Jackson, which keeps start-up short.
 */
public final class Json {

    private Json() {
    }

    public static JsonMapper mapper() {
        return Holder.MAPPER;
    }

    /** The same, writing indented JSON for people: {@code caret status --json}, the saved configuration. */
    public static JsonMapper pretty() {
        return Holder.PRETTY;
    }

    private static final class Holder {
        static final JsonMapper MAPPER = JsonMapper.builder().build();
        static final JsonMapper PRETTY = MAPPER.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();
    }
}
