package io.tiyi.events;

/** Something a node records into its {@code logs/} partitions. */
public interface Event {
    /**
     * {@code access}, {@code security}, {@code error}, {@code audit} or {@code alert}, or on a
     * control plane {@code traffic} (an agent's requests per minute); written as the {@code type} field.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("type")
    String type();

    /** Milliseconds since the epoch. */
    long ts();
}
