package caret.launcher;

import caret.launcher.control.ControlClient;
import caret.launcher.control.ControlHandler;
import caret.launcher.control.ControlReply;
import caret.launcher.control.ControlRequest;
import caret.launcher.ui.Dashboard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code caret ui}: the dashboard of a Caret that is already running, in a process of its own that
 * sends each of the page's requests over the running Caret's control socket. It ends when that
 * Caret does.
 */
@Command(name = "ui", description = {"Serve the dashboard of the running Caret on 127.0.0.1 and print its address with a token;",
        "opens a browser on a desktop. Runs until interrupted or until that Caret exits."}, mixinStandardHelpOptions = true)
final class UiCommand implements Callable<Integer> {

    private static final Duration WATCH = Duration.ofSeconds(2);

    ControlSocketOption socket = new ControlSocketOption();
    @Mixin
    CommandSpec socketMixin = socket.mixin();

    @Mixin
    DashboardOptions dashboard = new DashboardOptions();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path path = socket.path();
        try {
            ControlClient.send(path, ControlRequest.of("status"));
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return ControlCommands.FAILED;
        }
        try (Dashboard ignored = dashboard.start(new SocketLink(path), spec.commandLine().getOut())) {
            while (ControlClient.answers(path)) {
                Thread.sleep(WATCH); // how soon the dashboard notices that its Caret has exited
            }
            err.println("The Caret at " + path + " has exited; the dashboard stops.");
            return 0;
        }
    }

    /** The running Caret's control socket, as the page's requests reach it. */
    private record SocketLink(Path path) implements ControlHandler {

        @Override
        public ControlReply handle(ControlRequest request) {
            try {
                return ControlClient.send(path, request);
            } catch (IOException e) {
                return ControlReply.refused(e.getMessage());
            }
        }
    }
}
