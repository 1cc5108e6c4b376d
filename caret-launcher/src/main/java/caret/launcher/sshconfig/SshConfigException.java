package caret.launcher.sshconfig;

/**
 * An ssh_config file that Caret cannot follow: a line with a bad value, or a setting that applies
 * to the host but that Caret cannot honour (such as {@code ProxyCommand}). The message is
 * {@code file:line: what is wrong; what to write}, or names the file alone when it cannot be read.
 */
public final class SshConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param origin the line at fault
     * @param problem what is wrong and what to write instead
     */
    public SshConfigException(Origin origin, String problem) {
        super(origin + ": " + problem);
    }

    /** @param message the whole message, naming the file */
    public SshConfigException(String message) {
        super(message);
    }
}
