package caret.launcher.control;

/** What the running instance does with a control request. */
public interface ControlHandler {

    /** Carries out a request from the instance's own user; never throws for a bad request, but says what was wrong. */
    ControlReply handle(ControlRequest request);

    /** Called once the reply is on its way, for what must happen after it, such as exiting. */
    default void replied(ControlRequest request) {
    }
}
