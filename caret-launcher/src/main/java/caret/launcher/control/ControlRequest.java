package caret.launcher.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One request on the control socket, a JSON object on one line. {@code op} is one of
 * {@code status}, {@code check}, {@code exit}, {@code on}, {@code off}, {@code remove}, {@code add},
 * {@code forward}, {@code cancel}, {@code reload}, {@code save}; the other fields are those the op needs.
 *
 * @param op what to do
 * @param server a server's name or host, for {@code add}, {@code check}, {@code forward}, {@code cancel}
 * @param forward a forward's name ({@code NAME} or {@code SERVER/NAME}) or spec, for {@code on}, {@code off}, {@code remove}
 * @param name the name of a forward to add; {@code null} to name it after its kind and spec
 * @param kind a forward type's id, for {@code add}, {@code forward}, {@code cancel}
 * @param spec a forward spec, for {@code add}, {@code forward}, {@code cancel}
 * @param options the forward's options, such as a SOCKS user and password; never echoed back
 * @param enabled whether an added forward starts switched on; {@code null} means on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlRequest(String op, String server, String forward, String name, String kind, String spec,
        Map<String, String> options, Boolean enabled) {

    public static ControlRequest of(String op) {
        return new ControlRequest(op, null, null, null, null, null, null, null);
    }

    /** Never prints the options: they may hold a password. */
    @Override
    public String toString() {
        return op + (server == null ? "" : " server=" + server) + (forward == null ? "" : " forward=" + forward)
                + (name == null ? "" : " name=" + name) + (kind == null ? "" : " " + kind + " " + spec);
    }
}
