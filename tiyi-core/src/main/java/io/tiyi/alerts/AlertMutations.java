package io.tiyi.alerts;

import static io.tiyi.store.generated.Tables.ALERT_FIRINGS;
import static io.tiyi.store.generated.Tables.ALERT_RULES;

import io.tiyi.TiyiException;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import java.util.List;
import java.util.Map;

/** Alert rules and firings are replicated state, changed only through these mutations. */
public final class AlertMutations {
    private AlertMutations() {}

    /** Adds a rule unless one with its name exists (first-boot seeding). */
    public record SeedRule(String name, String title, String kind, int windowSeconds, int threshold) implements Mutation<Void> {
        public static final String KIND = "alerts.seed_rule";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            if (!ctx.db().fetchExists(ALERT_RULES, ALERT_RULES.NAME.eq(name))) {
                ctx.db().insertInto(ALERT_RULES).set(ALERT_RULES.NAME, name).set(ALERT_RULES.TITLE, title).set(ALERT_RULES.KIND, kind)
                        .set(ALERT_RULES.WINDOW_SECONDS, windowSeconds).set(ALERT_RULES.THRESHOLD, threshold).set(ALERT_RULES.ENABLED, true)
                        .set(ALERT_RULES.UPDATED_AT, ctx.ts()).execute();
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("alerts.rule_seeded", "alert_rule:" + name, Map.of());
        }
    }

    /** Changes a rule: enabled, window, threshold. */
    public record UpdateRule(String name, boolean enabled, int windowSeconds, int threshold) implements Mutation<Void> {
        public static final String KIND = "alerts.update_rule";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            int n = ctx.db().update(ALERT_RULES).set(ALERT_RULES.ENABLED, enabled).set(ALERT_RULES.WINDOW_SECONDS, windowSeconds)
                    .set(ALERT_RULES.THRESHOLD, threshold).set(ALERT_RULES.UPDATED_AT, ctx.ts()).where(ALERT_RULES.NAME.eq(name)).execute();
            if (n == 0) {
                throw TiyiException.notFound("no alert rule named '" + name + "' (tiyi alerts rules list)");
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("alerts.rule_updated", "alert_rule:" + name, Map.of("enabled", enabled, "window_seconds", windowSeconds,
                    "threshold", threshold));
        }
    }

    /** A rule fired in a window; a second firing of the same rule and window changes nothing. Returns whether it was new. */
    public record Fire(String rule, long windowStart, long count, String detail) implements Mutation<Boolean> {
        public static final String KIND = "alerts.fire";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Boolean apply(MutationContext ctx) {
            if (ctx.db().fetchExists(ALERT_FIRINGS, ALERT_FIRINGS.RULE.eq(rule).and(ALERT_FIRINGS.WINDOW_START.eq(windowStart)))) {
                return false;
            }
            ctx.db().insertInto(ALERT_FIRINGS).set(ALERT_FIRINGS.RULE, rule).set(ALERT_FIRINGS.WINDOW_START, windowStart)
                    .set(ALERT_FIRINGS.COUNT, count).set(ALERT_FIRINGS.FIRED_AT, ctx.ts()).set(ALERT_FIRINGS.DETAIL, detail).execute();
            return true;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("alerts.fired", "alert_rule:" + rule, Map.of("window_start", windowStart, "count", count));
        }
    }

    /** An operator has seen a firing. */
    public record Ack(long id) implements Mutation<Void> {
        public static final String KIND = "alerts.ack";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            int n = ctx.db().update(ALERT_FIRINGS).set(ALERT_FIRINGS.ACKED_AT, ctx.ts()).set(ALERT_FIRINGS.ACKED_BY, ctx.actor())
                    .where(ALERT_FIRINGS.ID.eq((int) id)).and(ALERT_FIRINGS.ACKED_AT.isNull()).execute();
            if (n == 0 && !ctx.db().fetchExists(ALERT_FIRINGS, ALERT_FIRINGS.ID.eq((int) id))) {
                throw TiyiException.notFound("no alert firing with id " + id + " (tiyi alerts list)");
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("alerts.acked", "alert_firing:" + id, Map.of());
        }
    }

    /** The mutation types of alerts. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(SeedRule.class, UpdateRule.class, Fire.class, Ack.class);
        }
    }
}
