package io.tiyi.events;

import java.util.Objects;

/**
 * How many requests a separate agent served for one site in one minute, as it shipped them to
 * this control plane ({@code EventsService/Ingest}). Agents keep their access events (one per
 * request: too many to ship) and ship these counts instead, so the overview's request series
 * counts every agent's requests.
 *
 * <p>Not one of the types users list: it is no request of its own, only a number for
 * {@code EventsService/Stats}. The control plane's SIEM dispatcher skips it: the agent's SIEM
 * has the access events themselves.
 *
 * @param ts the minute's start, ms (a multiple of 60,000)
 * @param site the site, or empty for requests to an unknown host
 * @param requests requests the agent completed in that minute, 1 to {@link #MAX_REQUESTS}
 * @param agent the shipping agent's id, from its credential
 */
public record TrafficEvent(long ts, String site, long requests, String agent) implements Event {
    /** The log's and the wire's type. */
    public static final String TYPE = "traffic";
    /** Entries of {@code traffic} in one {@code EventsService/Ingest} batch, at most. */
    public static final int MAX_BATCH = 10_000;
    /** Requests of one entry, at most; an agent splits a larger count into several entries. */
    public static final long MAX_REQUESTS = 1_000_000_000L;
    /** Characters of {@code site}, at most: the limit of a shipped security event's texts. */
    public static final int MAX_SITE = ShippedSecurityEvents.MAX_TEXT;
    public static final long MINUTE_MS = 60_000L;

    public TrafficEvent {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(agent, "agent");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
