package io.tiyi.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff for a retry loop: the first failure waits {@code first}, each further one
 * twice as long up to {@code max}, and a success starts over. With jitter a wait is drawn from
 * [half, whole] of the step ("equal jitter"), so many clients that failed together do not retry
 * together. One instance per loop, used by that loop's thread only.
 */
public final class Backoff {
    private final long firstMs;
    private final long maxMs;
    private final boolean jitter;
    private long stepMs;

    private Backoff(long firstMs, long maxMs, boolean jitter) {
        if (firstMs <= 0 || maxMs < firstMs) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, got " + firstMs + " ms and " + maxMs + " ms");
        }
        this.firstMs = firstMs;
        this.maxMs = maxMs;
        this.jitter = jitter;
    }

    /** Waits of exactly {@code first}, {@code 2 × first}, … up to {@code max}. */
    public static Backoff exponential(Duration first, Duration max) {
        return new Backoff(first.toMillis(), max.toMillis(), false);
    }

    /** The same steps, each wait drawn from [half, whole] of its step. */
    public static Backoff jittered(Duration first, Duration max) {
        return new Backoff(first.toMillis(), max.toMillis(), true);
    }

    /** Records a failure and returns how long to wait before the next attempt, in milliseconds. */
    public long failed() {
        stepMs = stepMs == 0 ? firstMs : Math.min(maxMs, stepMs * 2);
        return jitter ? stepMs / 2 + ThreadLocalRandom.current().nextLong(stepMs / 2 + 1) : stepMs;
    }

    /** Records a success: the next failure waits {@code first} again. */
    public void succeeded() {
        stepMs = 0;
    }

    /** Whether the last attempt failed. */
    public boolean backingOff() {
        return stepMs > 0;
    }

    /** The step the next failure will wait (before jitter), for log lines. */
    public long nextStepMs() {
        return stepMs == 0 ? firstMs : Math.min(maxMs, stepMs * 2);
    }

    /** Sleeps for the wait {@link #failed()} returns. */
    public void sleepAfterFailure() throws InterruptedException {
        Thread.sleep(failed());
    }
}
