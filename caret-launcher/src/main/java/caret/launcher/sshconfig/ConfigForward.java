package caret.launcher.sshconfig;

import java.util.Objects;

/**
 * A {@code LocalForward}, {@code RemoteForward} or {@code DynamicForward} line, turned into the
 * spec Caret's {@code -L}, {@code -R} or {@code -D} takes: {@code LocalForward 8080 db:5432}
 * becomes local {@code 8080:db:5432}.
 *
 * @param type Caret's forward type: {@code local}, {@code reverse} or {@code dynamic}
 * @param spec the spec in the command line's syntax
 * @param origin the line it came from, for messages
 */
public record ConfigForward(String type, String spec, Origin origin) {

    public ConfigForward {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(origin, "origin");
    }
}
