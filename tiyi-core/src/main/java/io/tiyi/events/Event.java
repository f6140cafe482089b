package io.tiyi.events;

/** Something a node records into its {@code logs/} partitions. */
public interface Event {
    /** {@code access}, {@code security}, {@code error}, {@code audit} or {@code alert}. */
    String type();

    /** Milliseconds since the epoch. */
    long ts();
}
