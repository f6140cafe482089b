package io.tiyi.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * The one duration syntax of Tiyi's settings, API fields and CLI flags: whole numbers with units
 * {@code ms}, {@code s}, {@code m}, {@code h} and {@code d}, alone or combined from the largest
 * unit down ({@code 500ms}, {@code 90s}, {@code 15m}, {@code 1h30m}, {@code 7d}), up to
 * {@link #MAX}. Milliseconds exist for the WAF's per-request budget; a setting that has no use for
 * them bounds its own range.
 */
public final class Durations {
    /** Longer than any retention or token lifetime Tiyi has a use for; bounds the arithmetic too. */
    public static final Duration MAX = Duration.ofDays(36_500);

    /** What the syntax is, for error messages: "a duration such as …". */
    public static final String SHAPE = "a duration such as 500ms, 30s, 10m, 1h30m or 7d (at most 36500d)";

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException when {@code text} is not of the shape, is zero, or exceeds
     *     {@link #MAX}; its message is {@link #SHAPE}
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw new IllegalArgumentException(SHAPE);
        }
        Duration total = Duration.ZERO;
        int lastUnit = Integer.MAX_VALUE;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            // Thirteen digits already exceed MAX in milliseconds: no number beyond that needs parsing.
            if (i == start || i - start > 13 || i == s.length()) {
                throw new IllegalArgumentException(SHAPE);
            }
            long n = Long.parseLong(s, start, i, 10);
            boolean millis = s.startsWith("ms", i);
            int unit = millis ? -1 : switch (s.charAt(i)) {
                case 'd' -> 3;
                case 'h' -> 2;
                case 'm' -> 1;
                case 's' -> 0;
                default -> throw new IllegalArgumentException(SHAPE);
            };
            if (millis) {
                i++;
            }
            if (unit >= lastUnit) {
                throw new IllegalArgumentException(SHAPE);
            }
            lastUnit = unit;
            total = total.plus(switch (unit) {
                case 3 -> Duration.ofDays(n);
                case 2 -> Duration.ofHours(n);
                case 1 -> Duration.ofMinutes(n);
                case 0 -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            if (total.compareTo(MAX) > 0) {
                throw new IllegalArgumentException(SHAPE);
            }
            i++;
        }
        if (total.isZero()) {
            throw new IllegalArgumentException(SHAPE);
        }
        return total;
    }
}
