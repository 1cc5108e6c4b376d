/** The composition root and the command line people run: {@code caret}. Exports nothing. */
module caret.launcher {
    requires caret.core;
    requires info.picocli;
    requires tools.jackson.databind;
    requires com.networknt.schema;
    requires org.slf4j;
    requires org.apache.sshd.osgi;
    requires jdk.httpserver;
    requires jdk.net;

    opens caret.launcher to info.picocli;
    opens caret.launcher.control to tools.jackson.databind;
    opens caret.launcher.ui to tools.jackson.databind;
}
