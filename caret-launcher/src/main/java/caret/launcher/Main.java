package caret.launcher;

import picocli.CommandLine;

/** {@code caret}: OpenSSH's forwarding command line, on the Caret engine. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Training.initializeAsTrained();
        System.exit(run(args));
    }

    static int run(String... args) {
        return CaretCommand.commandLine(args).execute(args);
    }
}
