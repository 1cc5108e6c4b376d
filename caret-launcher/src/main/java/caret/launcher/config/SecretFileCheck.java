package caret.launcher.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Warns when the file holds a password option and other users can read it, as ssh does for key files. */
final class SecretFileCheck {

    private SecretFileCheck() {
    }

    /**
     * @return the warning, if an option's name contains {@code password} and the file is readable by
     *     its group or by others; nothing on a file system without POSIX permissions
     * @throws IOException when the file's permissions cannot be read
     */
    static Optional<String> warning(Path file, LocatedJson json) throws IOException {
        Optional<ConfigPath> password = firstPassword(json);
        if (password.isEmpty()) {
            return Optional.empty();
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException noPosix) {
            return Optional.empty();
        }
        if (!permissions.contains(PosixFilePermission.GROUP_READ) && !permissions.contains(PosixFilePermission.OTHERS_READ)) {
            return Optional.empty();
        }
        return Optional.of(new Problem(json.nameAt(password.get()), password.get(), "this file holds a password and other users can read it; run chmod 600 "
                + file.toAbsolutePath()).render(file.toString()));
    }

    private static Optional<ConfigPath> firstPassword(LocatedJson json) {
        ConfigPath servers = ConfigPath.root().child("servers");
        for (Map.Entry<String, JsonNode> server : json.node(servers).properties()) {
            ConfigPath forwards = servers.child(server.getKey()).child("forwards");
            for (Map.Entry<String, JsonNode> forward : server.getValue().path("forwards").properties()) {
                ConfigPath options = forwards.child(forward.getKey()).child("options");
                for (String name : forward.getValue().path("options").propertyNames()) {
                    if (name.toLowerCase(Locale.ROOT).contains("password")) {
                        return Optional.of(options.child(name));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
