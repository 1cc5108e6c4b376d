package caret.launcher;

import caret.launcher.control.ControlPath;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -S PATH}: the running instance's control socket, as OpenSSH's ControlPath. */
final class ControlSocketOption {

    @Option(names = "-S", paramLabel = "PATH",
            description = "Control socket of the running Caret. Default: $XDG_RUNTIME_DIR/caret/control, else ~/.caret/control.")
    Path socket;

    Path path() {
        return socket != null ? SshOptions.expandHome(socket.toString()) : ControlPath.defaultPath();
    }

    boolean chosen() {
        return socket != null;
    }
}
