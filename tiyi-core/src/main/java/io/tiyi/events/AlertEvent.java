package io.tiyi.events;

/**
 * An alert rule fired on the primary.
 *
 * @param ts when it fired, ms
 * @param firingId the firing's id ({@code tiyi alerts show ID})
 * @param rule the rule's name, for example {@code origin-bypass-attempt}
 * @param title the rule's title
 * @param count the count in the window when it fired
 * @param windowStart start of the window it fired in, ms
 * @param detail one line on what was seen
 */
public record AlertEvent(long ts, long firingId, String rule, String title, long count, long windowStart, String detail) implements Event {
    @Override
    public String type() {
        return "alert";
    }
}
