package caret.launcher;

/**
 * Sets up SLF4J's simple logger before the first logger exists: warnings and errors on stderr by
 * default; {@code -v} adds Caret's lifecycle and per-connection lines, {@code -vv} the SSH
 * library's, {@code -vvv} everything. Payload and secrets are never logged at any level.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(int verbosity) {
        set("logFile", "System.err");
        set("showThreadName", verbosity >= 3 ? "true" : "false");
        set("showDateTime", verbosity >= 1 ? "true" : "false");
        if (verbosity >= 1) { // SimpleDateFormat's set-up costs tens of milliseconds at start-up: only when shown
            set("dateTimeFormat", "HH:mm:ss.SSS");
        }
        set("showLogName", "false");
        set("showShortLogName", verbosity >= 2 ? "true" : "false");
        set("levelInBrackets", "false");
        set("defaultLogLevel", verbosity >= 3 ? "trace" : verbosity >= 1 ? "debug" : "warn");
        // MINA warns of what Caret already explains (a refused host key, a closed session): errors only by default.
        set("log.org.apache.sshd", verbosity >= 3 ? "debug" : verbosity == 2 ? "info" : verbosity == 1 ? "warn" : "error");
    }

    private static void set(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
