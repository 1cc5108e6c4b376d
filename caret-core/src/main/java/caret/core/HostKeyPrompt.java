package caret.core;

/**
 * Asks the user whether to trust an unknown host key, for {@link HostKeyPolicy#ASK}. The client
 * supplies one that reads the terminal; {@link #NONE} when there is no terminal.
 */
public interface HostKeyPrompt {

    /** No terminal: unknown keys are refused. */
    HostKeyPrompt NONE = new HostKeyPrompt() {
        @Override
        public boolean canAsk() {
            return false;
        }

        @Override
        public boolean confirm(String question) {
            return false;
        }
    };

    /** Whether there is someone to ask. */
    boolean canAsk();

    /** Shows {@code question} and returns whether the user answered yes. */
    boolean confirm(String question);
}
