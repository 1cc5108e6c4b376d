package caret.launcher.ui;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens an address in the user's browser when there is a desktop to show it on. */
final class Browser {

    private static final Logger log = LoggerFactory.getLogger(Browser.class);

    private Browser() {
    }

    /** @return whether a browser was asked to open it */
    static boolean open(URI address) {
        List<String> command;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac")) {
            command = List.of("open", address.toString());
        } else if (present("DISPLAY") || present("WAYLAND_DISPLAY")) {
            command = List.of("xdg-open", address.toString());
        } else {
            return false;
        }
        try {
            new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return true;
        } catch (IOException e) {
            log.debug("could not open a browser with {}: {}", command.getFirst(), e.toString());
            return false;
        }
    }

    private static boolean present(String variable) {
        String value = System.getenv(variable);
        return value != null && !value.isBlank();
    }
}
