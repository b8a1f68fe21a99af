package io.barcodepush.export;

import java.time.Duration;

/**
 * How often and how soon a file that was not accepted is sent again.
 *
 * @param maxAttempts  attempts after which a file stops being retried automatically
 * @param initialDelay wait after the first failed attempt; it doubles with each further failure
 * @param maxDelay     longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {

    /** Returns the wait after the given number of failed attempts (1 for the first failure). */
    public Duration delayAfter(int failedAttempts) {
        Duration delay = initialDelay;
        for (int i = 1; i < failedAttempts && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
