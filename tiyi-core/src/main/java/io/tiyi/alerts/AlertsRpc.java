package io.tiyi.alerts;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.Empty;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import java.util.List;

/** {@code tiyi.v1.AlertsService}: alert firings and the rules that fire them. */
final class AlertsRpc {
    static final String SERVICE = "AlertsService";

    /** {@code rule} is a rule's exact name; {@code limit} defaults to 50. */
    record ListRequest(Integer limit, Boolean unackedOnly, Integer offset, String rule) {}

    record IdRequest(Long id) {}

    record RuleRequest(String name, Boolean enabled, Integer windowSeconds, Integer threshold) {}

    record Firings(List<Alerts.Firing> firings, int total) {}

    record Rules(List<Alerts.Rule> rules) {}

    private AlertsRpc() {}

    static void register(RpcRegistry r, Alerts alerts) {
        r.query(SERVICE, "List", Access.VIEWER, ListRequest.class, (ctx, q) -> {
            Alerts.FiringPage p = alerts.firings(q.rule(), Boolean.TRUE.equals(q.unackedOnly()), q.offset() == null ? 0 : q.offset(),
                    q.limit() == null ? 50 : q.limit());
            return new Firings(p.firings(), p.total());
        });
        r.query(SERVICE, "Get", Access.VIEWER, IdRequest.class, (ctx, q) -> alerts.firing(id(q)));
        r.mutation(SERVICE, "Ack", Access.OPERATOR, IdRequest.class, (ctx, q) -> alerts.ack(ctx.actor(), id(q)));
        r.query(SERVICE, "ListRules", Access.VIEWER, Empty.class, (ctx, q) -> new Rules(alerts.rules()));
        r.mutation(SERVICE, "UpdateRule", Access.ADMIN, RuleRequest.class, (ctx, q) -> alerts.update(ctx.actor(),
                RpcMethod.required(q.name(), "name"), q.enabled(), q.windowSeconds(), q.threshold()));
    }

    private static long id(IdRequest q) {
        if (q.id() == null) {
            throw TiyiException.invalid("id is required");
        }
        return q.id();
    }
}
