package caret.launcher.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the control socket's protocol, through the code the server runs for
 * each connection: any bytes a client sends are read as one request line and answered. A line
 * that is a JSON request with an op reaches the handler, and its reply goes back; any other line is
 * refused with a reply that says it is not a request or has no op, without reaching the handler;
 * nothing fails otherwise, and every reply can be written. Every build runs it over the inputs in
 * {@code ControlRequestFuzzTestInputs}; {@code scripts/fuzz} fuzzes it.
 */
class ControlRequestFuzzTest {

    private static final ControlReply HANDLED = ControlReply.done("handled");

    @FuzzTest
    void anyLineIsARequestForTheHandlerOrRefusedSayingWhy(byte[] sent) throws IOException {
        String line = ControlServer.readLine(new BufferedReader(new InputStreamReader(new ByteArrayInputStream(sent), StandardCharsets.UTF_8)));
        assertTrue(line.indexOf('\n') < 0, "a request line with a newline");
        List<ControlRequest> handled = new ArrayList<>();
        ControlServer.Answer answer = ControlServer.answer(line, request -> {
            handled.add(request);
            return HANDLED;
        });
        if (handled.isEmpty()) {
            ControlReply reply = answer.reply();
            assertFalse(reply.ok(), line);
            assertTrue(reply.message().startsWith("Not a request: ") || reply.message().equals("No op in the request"),
                    "'" + line + "' got the reply: " + reply.message());
        } else {
            assertEquals(1, handled.size());
            assertSame(HANDLED, answer.reply());
            assertSame(handled.getFirst(), answer.request());
            assertNotNull(answer.request().op(), line);
        }
        assertTrue(Json.mapper().writeValueAsBytes(answer.reply()).length > 0);
    }
}
