package io.tiyi.siem;

import io.tiyi.events.Event;

/**
 * The event {@code tiyi siem test} sends, to prove a destination receives and parses what Tiyi
 * writes. It is never written to {@code logs/}.
 *
 * @param ts when it was sent, ms
 * @param requestedBy the user who asked for it
 * @param id a random id to find it by at the receiver
 */
public record TestEvent(long ts, String requestedBy, String id) implements Event {
    @Override
    public String type() {
        return "test";
    }
}
