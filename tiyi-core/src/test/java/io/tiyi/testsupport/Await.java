package io.tiyi.testsupport;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait for an asynchronous outcome: poll a condition until it holds or the
 * timeout passes. The interval starts short so a fast outcome costs little, and grows so a slow
 * one does not burn a core the rest of the build needs.
 */
public final class Await {
    private static final long FIRST_PAUSE_MS = 5;
    private static final long MAX_PAUSE_MS = 200;

    private Await() {}

    /** Waits until {@code condition} holds; fails naming {@code what} and the timeout otherwise. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        value(timeout, what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** As {@link #until(Duration, String, BooleanSupplier)}, with {@code what} built only on failure. */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        value(timeout, what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Waits until {@code probe} yields a value and returns it; fails naming {@code what} and the timeout otherwise. */
    public static <T> T value(Duration timeout, String what, Supplier<Optional<T>> probe) {
        return value(timeout, () -> what, probe);
    }

    /**
     * As {@link #value(Duration, String, Supplier)}, with {@code what} built only on failure, so
     * it can tell the last state the probe saw.
     */
    public static <T> T value(Duration timeout, Supplier<String> what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MS;
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            try {
                Thread.sleep(Math.max(1, Math.min(pause, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get(), e);
            }
            pause = Math.min(MAX_PAUSE_MS, pause * 2);
        }
    }
}
