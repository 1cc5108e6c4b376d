package caret.core;

import java.time.Duration;

/** Durations in the words of messages: {@code 4 s}, {@code 500 ms}. */
final class Seconds {

    private Seconds() {
    }

    static String of(Duration duration) {
        long millis = duration.toMillis();
        return millis < 1000 ? millis + " ms" : Math.round(millis / 1000.0) + " s";
    }
}
