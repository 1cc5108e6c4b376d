package caret.launcher.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a {@link ControlRequest}, a JSON object on one line.
 *
 * @param ok whether the request was carried out
 * @param message what was done, or what went wrong and what to do
 * @param servers the status, for {@code status}
 * @param configFile for {@code status}: the configuration file the instance runs ({@code caret up}), which
 *     {@code reload} reads and {@code save} writes; {@code null} when it has none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlReply(boolean ok, String message, List<ServerReport> servers, String configFile) {

    public static ControlReply done(String message) {
        return new ControlReply(true, message, null, null);
    }

    public static ControlReply refused(String message) {
        return new ControlReply(false, message, null, null);
    }
}
