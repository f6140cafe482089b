package io.tiyi.agent;

import com.codahale.metrics.Counter;
import io.tiyi.events.TrafficEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests per (site, minute) on an agent, for {@link EventShipper} to ship once each minute has
 * closed. Request threads only {@link #count}: a map lookup and a {@link LongAdder} increment,
 * never a lock held across requests. At most about {@value #MAX_KEYS} minutes are open at once
 * (the bound is checked without a lock, so racing threads may pass it by a few); a request
 * that would open one more is not counted but {@link #dropped}, so a flood of made-up hosts
 * cannot take the agent's memory.
 */
final class TrafficCounter {
    /** Open (site, minute) keys, at most (about). */
    public static final int MAX_KEYS = 10_000;

    /**
     * One closed minute's count, as {@code EventsService/Ingest} takes it in {@code traffic}.
     *
     * @param site the site, or empty for an unknown host
     * @param minuteMs the minute's start, ms
     * @param requests requests completed in it
     */
    public record Minute(String site, long minuteMs, long requests) {}

    private record Key(String site, long minuteMs) {}

    private final Map<Key, LongAdder> open = new ConcurrentHashMap<>();
    private final Counter dropped;

    /** @param dropped counts the requests not counted because {@link #MAX_KEYS} minutes were open */
    public TrafficCounter(Counter dropped) {
        this.dropped = dropped;
    }

    /** Counts one request completed at {@code ts} for {@code site}; never blocks. */
    public void count(String site, long ts) {
        Key k = new Key(site == null ? "" : site, Math.floorDiv(ts, TrafficEvent.MINUTE_MS) * TrafficEvent.MINUTE_MS);
        LongAdder a = open.get(k);
        if (a == null) {
            if (open.size() >= MAX_KEYS) {
                dropped.inc();
                return;
            }
            a = open.computeIfAbsent(k, x -> new LongAdder());
        }
        a.increment();
    }

    /**
     * Removes and returns the minutes that ended at or before {@code until}, sites cut to
     * {@link TrafficEvent#MAX_SITE} and counts split at {@link TrafficEvent#MAX_REQUESTS}, so
     * the control plane takes every entry.
     *
     * <p>A request thread that looked the minute up just before it was removed still counts into
     * the removed adder, and that request is lost; the shipper closes a minute only seconds
     * after its end, so only a request completed that late but stamped in it could be. A request
     * that comes after its minute closed opens the minute again, to be shipped as one more entry
     * that the control plane adds up with the first.
     */
    public List<Minute> close(long until) {
        List<Minute> closed = new ArrayList<>();
        for (Iterator<Map.Entry<Key, LongAdder>> it = open.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Key, LongAdder> e = it.next();
            Key k = e.getKey();
            if (k.minuteMs() + TrafficEvent.MINUTE_MS > until) {
                continue;
            }
            it.remove();
            String site = k.site().length() <= TrafficEvent.MAX_SITE ? k.site() : k.site().substring(0, TrafficEvent.MAX_SITE);
            for (long n = e.getValue().sum(); n > 0; n -= TrafficEvent.MAX_REQUESTS) {
                closed.add(new Minute(site, k.minuteMs(), Math.min(n, TrafficEvent.MAX_REQUESTS)));
            }
        }
        return closed;
    }

    /** (site, minute) keys open now. */
    public int open() {
        return open.size();
    }

    /** Requests not counted because too many minutes were open. */
    public long dropped() {
        return dropped.getCount();
    }
}
