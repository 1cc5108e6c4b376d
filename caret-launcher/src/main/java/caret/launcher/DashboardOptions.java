package caret.launcher;

import caret.launcher.control.ControlHandler;
import caret.launcher.ui.Dashboard;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** How the dashboard starts: its address printed with the token, and a browser opened on a desktop. */
final class DashboardOptions {

    @Option(names = "--no-browser", description = "With the dashboard: print its address, do not open a browser.")
    boolean noBrowser;

    /** Serves the dashboard for {@code control}, prints its address on {@code out} and opens a browser unless told not to. */
    Dashboard start(ControlHandler control, PrintWriter out) throws IOException {
        Dashboard dashboard = Dashboard.start(control);
        out.println("Dashboard: " + dashboard.address()
                + " (only with this token; only from this machine)");
        out.flush();
        if (!noBrowser) {
            dashboard.openBrowser();
        }
        return dashboard;
    }
}
