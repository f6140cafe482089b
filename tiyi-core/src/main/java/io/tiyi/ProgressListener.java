package io.tiyi;

/**
 * Told how a long operation goes, for a progress display. Called on the operation's thread (or,
 * for {@link #advance}, on a thread that moves its data); the calls must return quickly.
 */
public interface ProgressListener {
    /** What {@link #advance} counts. */
    enum Unit {
        ITEMS,
        BYTES
    }

    /** Ignores everything. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void step(String what, Unit unit) {}

        @Override
        public void advance(long done, long total) {}
    };

    /** A step begins whose {@link #advance} counts items. */
    default void step(String what) {
        step(what, Unit.ITEMS);
    }

    /** A step begins, for example {@code sending test requests}; {@link #advance} then counts {@code unit}. */
    void step(String what, Unit unit);

    /** So much of the current step is done; {@code total} is 0 or less when it is not known. */
    void advance(long done, long total);
}
