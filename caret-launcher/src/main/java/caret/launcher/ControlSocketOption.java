package caret.launcher;

import caret.launcher.control.ControlPath;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** {@code -S PATH}: the running instance's control socket, as OpenSSH's ControlPath. */
final class ControlSocketOption {

    private Path socket;

    /** {@code -S}, bound to this object: a mixin for the commands that use the control socket. */
    CommandSpec mixin() {
        CommandSpec mixin = CommandSpec.create();
        mixin.addOption(Options.option("-S", Path.class, () -> socket, path -> socket = path)
                .paramLabel("PATH")
                .description("Control socket of the running Caret. Default: $XDG_RUNTIME_DIR/caret/control, else ~/.caret/control.")
                .build());
        return mixin;
    }

    Path path() {
        return socket != null ? SshOptions.expandHome(socket.toString()) : ControlPath.defaultPath();
    }

    boolean chosen() {
        return socket != null;
    }
}
