package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.EventsService.StatsRequest;
import io.tiyi.events.EventLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code EventsService/Stats}: one streaming pass over the access, one over the traffic and one
 * over the security partitions of a window, keeping counters only, never the events.
 *
 * <p>Requests are this node's access events plus the counts separate agents ship
 * ({@link io.tiyi.events.TrafficEvent}, one per site and minute, stamped with the minute's
 * start: a window's edge counts an agent's minute whole or not at all). Top clients' requests
 * come from access events only, so they count this node's own data plane: agents ship no
 * per-client counts.
 */
final class EventStats {
    static final int DEFAULT_BUCKETS = 60;
    static final int MAX_BUCKETS = 1000;
    static final int DEFAULT_TOP = 10;
    static final int MAX_TOP = 100;
    /**
     * Distinct clients counted at once. A flood from spoofed or rotating addresses over a month
     * could otherwise take the node's memory; past this the least active half is forgotten, so
     * the top clients stay right (they are the ones kept) while a forgotten client that comes
     * back is counted from then on.
     */
    static final int MAX_CLIENTS = 100_000;
    /** Most requests first, then most blocked, then by address so that ties list the same way every time. */
    private static final Comparator<Map.Entry<String, long[]>> BY_ACTIVITY = Comparator
            .<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
            .thenComparingLong(e -> -e.getValue()[1])
            .thenComparing(Map.Entry::getKey);

    private final long from;
    private final long bucketMs;
    private final int buckets;
    private final String site;
    private final Map<String, long[][]> sites = new TreeMap<>();
    private final Map<Long, Rule> rules = new HashMap<>();
    private final Map<String, long[]> clients = new HashMap<>();
    private long requests;
    private long blocked;
    private long detected;

    private EventStats(long from, long bucketMs, int buckets, String site) {
        this.from = from;
        this.bucketMs = bucketMs;
        this.buckets = buckets;
        this.site = site;
    }

    private static final class Rule {
        long count;
        String message = "";
        long messageTs = Long.MIN_VALUE;
    }

    static EventsRpc.Stats compute(EventLog log, StatsRequest q, long now) {
        long until = q.untilMs() != null ? q.untilMs() : now;
        long from = q.fromMs() != null ? q.fromMs() : until - 3_600_000L;
        EventsRpc.checkWindow(from, until);
        int buckets = EventsRpc.bounded(q.buckets(), DEFAULT_BUCKETS, MAX_BUCKETS, "buckets");
        int top = EventsRpc.bounded(q.top(), DEFAULT_TOP, MAX_TOP, "top");
        // Ceiling, so that buckets * bucketMs covers the window; at least 1 for an empty window.
        long bucketMs = Math.max(1, (until - from + buckets - 1) / buckets);
        String site = q.site() == null || q.site().isBlank() ? null : q.site();
        EventStats s = new EventStats(from, bucketMs, buckets, site);
        log.scan("access", from, until, s::access);
        log.scan(io.tiyi.events.TrafficEvent.TYPE, from, until, s::traffic);
        log.scan("security", from, until, s::security);
        return s.result(from, until, top);
    }

    private void access(JsonNode n) {
        String s = EventSearch.text(n, "site");
        if (site != null && !site.equals(s)) {
            return;
        }
        requests++;
        series(s)[0][bucket(n)]++;
        client(EventSearch.text(n, "client_ip"))[0]++;
    }

    private void traffic(JsonNode n) {
        String s = EventSearch.text(n, "site");
        if (site != null && !site.equals(s)) {
            return;
        }
        long r = n.path("requests").asLong();
        requests += r;
        series(s)[0][bucket(n)] += r;
    }

    private void security(JsonNode n) {
        String s = EventSearch.text(n, "site");
        if (site != null && !site.equals(s)) {
            return;
        }
        String action = EventSearch.text(n, "action");
        if (action.equals("blocked")) {
            blocked++;
            series(s)[1][bucket(n)]++;
            client(EventSearch.text(n, "client_ip"))[1]++;
        } else if (action.equals("detected")) {
            detected++;
        }
        long ts = n.path("ts").asLong();
        JsonNode ids = n.path("rule_ids");
        JsonNode messages = n.path("messages");
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).isIntegralNumber() || !seen.add(ids.get(i).asLong())) {
                continue;
            }
            Rule r = rules.computeIfAbsent(ids.get(i).asLong(), k -> new Rule());
            r.count++;
            JsonNode m = messages.get(i);
            // Scanned partition by partition, so ts is the judge of newest, not the order read.
            if (m != null && m.isTextual() && ts >= r.messageTs) {
                r.message = m.asText();
                r.messageTs = ts;
            }
        }
    }

    private int bucket(JsonNode n) {
        long i = (n.path("ts").asLong() - from) / bucketMs;
        // Only an event at exactly until_ms lands one past the end, when the window divides evenly.
        return (int) Math.min(i, buckets - 1);
    }

    /** [0] requests, [1] blocked, per bucket. */
    private long[][] series(String s) {
        return sites.computeIfAbsent(s, k -> new long[2][buckets]);
    }

    /** [0] requests, [1] blocked. */
    private long[] client(String ip) {
        long[] c = clients.get(ip);
        if (c == null) {
            if (clients.size() >= MAX_CLIENTS) {
                forgetLeastActiveClients();
            }
            c = new long[2];
            clients.put(ip, c);
        }
        return c;
    }

    private void forgetLeastActiveClients() {
        List<Map.Entry<String, long[]>> all = new ArrayList<>(clients.entrySet());
        all.sort(BY_ACTIVITY);
        for (Map.Entry<String, long[]> e : all.subList(MAX_CLIENTS / 2, all.size())) {
            clients.remove(e.getKey());
        }
    }

    private EventsRpc.Stats result(long from, long until, int top) {
        List<EventsRpc.SiteSeries> series = new ArrayList<>(sites.size());
        sites.forEach((name, c) -> series.add(new EventsRpc.SiteSeries(name, c[0], c[1])));
        List<EventsRpc.RuleCount> topRules = rules.entrySet().stream()
                .map(e -> new EventsRpc.RuleCount(e.getKey(), e.getValue().message, e.getValue().count))
                .sorted(Comparator.comparingLong(EventsRpc.RuleCount::count).reversed().thenComparingLong(EventsRpc.RuleCount::ruleId))
                .limit(top).toList();
        List<EventsRpc.ClientCount> topClients = clients.entrySet().stream().sorted(BY_ACTIVITY).limit(top)
                .map(e -> new EventsRpc.ClientCount(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
        return new EventsRpc.Stats(from, until, bucketMs, series, topRules, topClients, requests, blocked, detected);
    }
}
