package io.tiyi.alerts;

import static io.tiyi.store.generated.Tables.ALERT_FIRINGS;
import static io.tiyi.store.generated.Tables.ALERT_RULES;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.bundle.AgentReport;
import io.tiyi.events.AlertEvent;
import io.tiyi.events.EventLog;
import io.tiyi.fleet.Fleet;
import io.tiyi.internal.Text;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.AlertFiringsRecord;
import io.tiyi.store.generated.tables.records.AlertRulesRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert rules and their firings, and the engine that evaluates the rules on the primary over what
 * the data planes report. A rule counts its condition per window (aligned to the epoch clock);
 * the first time a window's count reaches the threshold the rule fires, once per window.
 */
public final class Alerts implements RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    /** The rule every node is seeded with. */
    public static final String ORIGIN_BYPASS = "origin-bypass-attempt";
    /** The condition of {@link #ORIGIN_BYPASS}: requests claiming a client address through an untrusted peer. */
    public static final String KIND_ORIGIN_BYPASS = "origin_bypass";
    /** The rule that fires when a secondary's replication stands still behind the primary. */
    public static final String REPLICATION_STALLED = "replication-stalled";
    /** The condition of {@link #REPLICATION_STALLED}: the primary saw a stalled secondary. */
    public static final String KIND_REPLICATION_STALLED = "replication_stalled";

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final BooleanSupplier evaluating;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    /**
     * A rule.
     *
     * @param name its id
     * @param title what it is called
     * @param kind its condition
     * @param windowSeconds the window its count covers
     * @param threshold the count at which it fires
     * @param enabled whether it is evaluated
     */
    public record Rule(String name, String title, String kind, int windowSeconds, int threshold, boolean enabled) {}

    /**
     * A firing.
     *
     * @param id its id
     * @param rule the rule that fired
     * @param title the rule's title
     * @param windowStart the window it fired in, ms
     * @param count the count when it fired
     * @param firedAt when it fired, ms
     * @param detail what was seen (agent, a sample)
     * @param ackedAt when it was acknowledged, or 0
     * @param ackedBy who acknowledged it, or null
     */
    public record Firing(long id, String rule, String title, long windowStart, long count, long firedAt, String detail, long ackedAt,
            String ackedBy) {}

    /**
     * @param evaluating whether this node evaluates rules now (the read-write primary does)
     */
    public Alerts(StateStore store, MutationPipeline pipeline, BooleanSupplier evaluating) {
        this.store = store;
        this.pipeline = pipeline;
        this.evaluating = evaluating;
    }

    /** Seeds each default rule the node does not have yet (first boot, or a rule newer than the state). */
    public void ensureSeeded() {
        seed(new AlertMutations.SeedRule(ORIGIN_BYPASS, "Origin Bypass Attempt", KIND_ORIGIN_BYPASS, 300, 1));
        seed(new AlertMutations.SeedRule(REPLICATION_STALLED, "Replication Stalled", KIND_REPLICATION_STALLED, 300, 1));
    }

    private void seed(AlertMutations.SeedRule rule) {
        if (!store.read(db -> db.fetchExists(ALERT_RULES, ALERT_RULES.NAME.eq(rule.name())))) {
            pipeline.apply("system", rule);
        }
    }

    /**
     * A secondary's replication stands still behind this primary ({@code detail} says which and
     * how far): counted for {@link #REPLICATION_STALLED}, which fires once per window while it lasts.
     */
    public void replicationStalled(String detail) {
        observe(KIND_REPLICATION_STALLED, 1, "the primary's replication check", detail);
    }

    /**
     * No secondary is stalled any more: the rule's unacknowledged firings are acknowledged by
     * {@code system}, so that the open alerts show only what still needs someone.
     */
    public void replicationRecovered() {
        if (!evaluating.getAsBoolean()) {
            return;
        }
        List<Long> open = store.read(db -> db.select(ALERT_FIRINGS.ID).from(ALERT_FIRINGS)
                .where(ALERT_FIRINGS.RULE.eq(REPLICATION_STALLED).and(ALERT_FIRINGS.ACKED_AT.isNull())).fetch(r -> r.value1().longValue()));
        for (long id : open) {
            pipeline.submit("system", new AlertMutations.Ack(id));
        }
        if (!open.isEmpty()) {
            LOG.info("alert: Replication Stalled cleared: the secondaries replicate again ({} firing(s) acknowledged by system)", open.size());
        }
    }

    public List<Rule> rules() {
        return store.read(db -> db.selectFrom(ALERT_RULES).orderBy(ALERT_RULES.NAME).fetch(Alerts::rule));
    }

    public Rule rule(String name) {
        return store.read(db -> db.selectFrom(ALERT_RULES).where(ALERT_RULES.NAME.eq(name)).fetchOptional()).map(Alerts::rule)
                .orElseThrow(() -> TiyiException.notFound("no alert rule named '" + Text.escape(name) + "' (tiyi alerts rules list)"));
    }

    /** Changes a rule; null fields stay as they are. */
    public Rule update(String actor, String name, Boolean enabled, Integer windowSeconds, Integer threshold) {
        Text.requirePlain("name", name);
        Rule cur = rule(name);
        int w = windowSeconds == null ? cur.windowSeconds() : windowSeconds;
        int t = threshold == null ? cur.threshold() : threshold;
        if (w < 10 || w > 86_400) {
            throw TiyiException.invalid("--window must be 10 to 86400 seconds, got " + w);
        }
        if (t < 1 || t > 1_000_000) {
            throw TiyiException.invalid("--threshold must be 1 to 1000000, got " + t);
        }
        pipeline.apply(actor, new AlertMutations.UpdateRule(name, enabled == null ? cur.enabled() : enabled, w, t));
        return rule(name);
    }

    /**
     * A page of firings.
     *
     * @param firings newest first
     * @param total how many firings match, before paging
     */
    public record FiringPage(List<Firing> firings, int total) {}

    /**
     * Firings, newest first, filtered and paged in SQL: the table grows by a firing per window.
     *
     * @param rule only this rule's firings (its exact name), or null for all
     * @param unackedOnly only firings nobody acknowledged
     * @param offset firings to skip, 0 or more
     * @param limit most firings returned, 1 to 1000
     */
    public FiringPage firings(String rule, boolean unackedOnly, int offset, int limit) {
        if (offset < 0) {
            throw TiyiException.invalid("offset must be 0 or more, got " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw TiyiException.invalid("limit must be from 1 to 1000, got " + limit);
        }
        Condition where = DSL.noCondition();
        if (rule != null && !rule.isBlank()) {
            where = where.and(ALERT_FIRINGS.RULE.eq(rule.trim()));
        }
        if (unackedOnly) {
            where = where.and(ALERT_FIRINGS.ACKED_AT.isNull());
        }
        Condition matching = where;
        Map<String, String> titles = titles();
        return store.read(db -> new FiringPage(db.selectFrom(ALERT_FIRINGS).where(matching).orderBy(ALERT_FIRINGS.ID.desc()).limit(limit)
                .offset(offset).fetch(r -> firing(r, titles)), db.fetchCount(ALERT_FIRINGS, matching)));
    }

    public Firing firing(long id) {
        Map<String, String> titles = titles();
        return store.read(db -> db.selectFrom(ALERT_FIRINGS).where(ALERT_FIRINGS.ID.eq((int) id)).fetchOptional()).map(r -> firing(r, titles))
                .orElseThrow(() -> TiyiException.notFound("no alert firing with id " + id + " (tiyi alerts list)"));
    }

    public Firing ack(String actor, long id) {
        pipeline.apply(actor, new AlertMutations.Ack(id));
        return firing(id);
    }

    /**
     * Counts {@code n} occurrences of a condition reported by {@code source} now, and fires every
     * enabled rule over it whose window count reaches its threshold. Runs on an API thread: the
     * firing is committed without waiting.
     */
    public void observe(String kind, long n, String source, String sample) {
        if (n <= 0 || !evaluating.getAsBoolean()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Rule r : rules()) {
            if (!r.enabled() || !r.kind().equals(kind)) {
                continue;
            }
            long window = now - Math.floorMod(now, r.windowSeconds() * 1000L);
            String key = r.name() + "@" + window;
            long total = counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
            if (total >= r.threshold() && total - n < r.threshold()) {
                String detail = total + " in the window; last from " + source + (sample == null ? "" : " (" + sample + ")");
                pipeline.submit("system", new AlertMutations.Fire(r.name(), window, total, detail)).thenAccept(c -> {
                    if (c.result()) {
                        LOG.warn("alert: {} fired: {}; see tiyi alerts list", r.title(), detail);
                        java.util.function.Consumer<Firing> l = onFired;
                        if (l != null) {
                            AlertFiringsRecord rec = store.read(db -> db.selectFrom(ALERT_FIRINGS)
                                    .where(ALERT_FIRINGS.RULE.eq(r.name()).and(ALERT_FIRINGS.WINDOW_START.eq(window))).fetchOne());
                            if (rec != null) {
                                l.accept(firing(rec, titles()));
                            }
                        }
                    }
                });
            }
        }
        counts.keySet().removeIf(k -> Long.parseLong(k.substring(k.lastIndexOf('@') + 1)) < now - 86_400_000L);
    }

    /** Counts the requests an agent's report says claimed a client address through an untrusted peer. */
    public void onAgentReport(Fleet.Reported reported) {
        AgentReport r = reported.report();
        observe(KIND_ORIGIN_BYPASS, r.originBypassAttempts(), "agent " + reported.agentId(), r.originBypassSample());
    }

    /** Writes every firing this node commits to {@code events} as an alert event (and so to the SIEM). */
    public void reportTo(EventLog events) {
        onFired(f -> events.offer(new AlertEvent(f.firedAt(), f.id(), f.rule(), f.title(), f.count(), f.windowStart(), f.detail())));
    }

    /** Also tells {@code listener} of every firing this node commits (the SIEM forwarder). */
    public void onFired(java.util.function.Consumer<Firing> listener) {
        this.onFired = listener;
    }

    private volatile java.util.function.Consumer<Firing> onFired;

    private Map<String, String> titles() {
        Map<String, String> t = new java.util.HashMap<>();
        rules().forEach(r -> t.put(r.name(), r.title()));
        return t;
    }

    private static Rule rule(AlertRulesRecord r) {
        return new Rule(r.getName(), r.getTitle(), r.getKind(), r.getWindowSeconds(), r.getThreshold(), r.getEnabled());
    }

    private static Firing firing(AlertFiringsRecord r, Map<String, String> titles) {
        return new Firing(r.getId(), r.getRule(), titles.getOrDefault(r.getRule(), r.getRule()), r.getWindowStart(), r.getCount(),
                r.getFiredAt(), r.getDetail(), r.getAckedAt() == null ? 0 : r.getAckedAt(), r.getAckedBy());
    }

    @Override
    public void register(RpcRegistry registry) {
        AlertsRpc.register(registry, this);
    }
}
