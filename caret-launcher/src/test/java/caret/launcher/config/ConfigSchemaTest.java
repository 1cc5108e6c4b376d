package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The schema in docs/ is valid JSON Schema, is the one the launcher ships, and agrees with the code's spec-or-fields check. */
class ConfigSchemaTest {

    static final Path DOCS_SCHEMA = Path.of("..", "docs", SchemaCheck.RESOURCE);

    @Test
    void isValidDraft202012() throws Exception {
        Schema metaSchema = SchemaRegistry.withDialect(Dialects.getDraft202012())
                .getSchema(SchemaLocation.of(Dialects.getDraft202012().getId()));

        assertEquals(List.of(), metaSchema.validate(JsonMapper.builder().build().readTree(Files.readString(DOCS_SCHEMA))));
    }

    @Test
    void theLauncherShipsTheSchemaFromDocs() throws Exception {
        try (InputStream shipped = SchemaCheck.class.getResourceAsStream(SchemaCheck.RESOURCE)) {
            assertArrayEquals(Files.readAllBytes(DOCS_SCHEMA), shipped.readAllBytes());
        }
    }

    /**
     * Every combination of spec and fields, for each built-in kind and a plugin's: the code finds a
     * problem exactly when the schema does, so its plainer words never hide a schema violation or
     * invent one.
     */
    @Test
    void theSpecOrFieldsCheckAgreesWithTheSchemaOnEveryCombinationOfKeys() {
        List<String> keys = List.of("spec", "localPort", "remotePort", "destinationHost", "destinationPort", "bindAddress", "localAddress");
        ConfigContext anything = new ConfigContext(Set.of("local", "reverse", "dynamic", "http-proxy"), Set.of("sshd"), (kind, spec, options) -> { });
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (String kind : List.of("local", "reverse", "dynamic", "http-proxy")) {
            for (int keySet = 0; keySet < 1 << keys.size(); keySet++) {
                ObjectNode forward = JsonNodeFactory.instance.objectNode().put("kind", kind);
                for (int k = 0; k < keys.size(); k++) {
                    if ((keySet & 1 << k) != 0) {
                        String key = keys.get(k);
                        if (key.endsWith("Port")) {
                            forward.put(key, 1);
                        } else {
                            forward.put(key, key.equals("spec") ? "1:h:2" : "h");
                        }
                    }
                }
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                root.putObject("servers").putObject("s").put("host", "h").putObject("forwards").set("f", forward);
                LocatedJson json = new LocatedJson(root, Map.of(), Map.of());
                boolean schemaFound = !SchemaCheck.instance().check(json).isEmpty();
                boolean codeFound = !ConfigChecks.check(json, anything, path -> false).isEmpty();
                if (schemaFound != codeFound) {
                    disagreements.add(forward + ": schema " + (schemaFound ? "refuses" : "accepts") + ", code " + (codeFound ? "refuses" : "accepts"));
                }
                checked++;
            }
        }
        assertEquals(512, checked);
        assertEquals(List.of(), disagreements);
    }
}
