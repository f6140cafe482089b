package io.tiyi.api;

import io.tiyi.TiyiException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Filter and page for list methods whose lists are small enough to load whole (sites, users,
 * certificates, releases): a web UI pages them on the server, and a client that sends nothing
 * gets the first {@link #DEFAULT_LIMIT}.
 */
public final class Paging {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    /**
     * One page of a list.
     *
     * @param items the page, in the list's order
     * @param total how many matched the filter, before paging
     */
    public record Page<T>(List<T> items, int total) {}

    private Paging() {}

    /**
     * The page of {@code all} at {@code offset}, at most {@code limit} long, of the items any of
     * whose {@code text} contains {@code filter} ignoring case.
     *
     * @param filter a substring; null or blank matches every item
     * @param offset items to skip, default 0
     * @param limit most items returned, 1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}
     * @param text the texts of an item the filter is matched against; null texts are skipped
     */
    public static <T> Page<T> page(List<T> all, String filter, Integer offset, Integer limit, Function<T, Stream<String>> text) {
        int from = offset(offset);
        int max = limit(limit, DEFAULT_LIMIT, MAX_LIMIT);
        String needle = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        List<T> matching = needle.isEmpty() ? all
                : all.stream().filter(t -> text.apply(t).anyMatch(s -> s != null && s.toLowerCase(Locale.ROOT).contains(needle))).toList();
        int total = matching.size();
        List<T> items = from >= total ? List.of() : List.copyOf(matching.subList(from, from + Math.min(max, total - from)));
        return new Page<>(items, total);
    }

    /** {@code offset} checked; 0 when absent. */
    public static int offset(Integer offset) {
        int v = offset == null ? 0 : offset;
        if (v < 0) {
            throw TiyiException.invalid("offset must be 0 or more, got " + v);
        }
        return v;
    }

    /** {@code limit} checked against 1 to {@code max}; {@code otherwise} when absent. */
    public static int limit(Integer limit, int otherwise, int max) {
        int v = limit == null ? otherwise : limit;
        if (v < 1 || v > max) {
            throw TiyiException.invalid("limit must be from 1 to " + max + ", got " + v);
        }
        return v;
    }

    /** The texts of a list of strings, for {@code text}: a null list has none. */
    public static Stream<String> each(List<String> values) {
        return values == null ? Stream.empty() : values.stream();
    }
}
