package io.tiyi.alerts;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.AlertsService;
import io.tiyi.client.rpc.AlertsService.IdRequest;
import io.tiyi.client.rpc.AlertsService.ListRequest;
import io.tiyi.client.rpc.AlertsService.RuleRequest;
import io.tiyi.client.rpc.Empty;
import java.util.List;

/** {@code tiyi.v1.AlertsService}: alert firings and the rules that fire them. */
final class AlertsRpc {

    record Firings(List<Alerts.Firing> firings, int total) {}

    record Rules(List<Alerts.Rule> rules) {}

    private AlertsRpc() {}

    static void register(RpcRegistry r, Alerts alerts) {
        r.query(AlertsService.LIST, Access.VIEWER, (ctx, q) -> {
            Alerts.FiringPage p = alerts.firings(q.rule(), Boolean.TRUE.equals(q.unackedOnly()), q.offset() == null ? 0 : q.offset(),
                    q.limit() == null ? 50 : q.limit());
            return new Firings(p.firings(), p.total());
        });
        r.query(AlertsService.GET, Access.VIEWER, (ctx, q) -> alerts.firing(id(q)));
        r.mutation(AlertsService.ACK, Access.OPERATOR, (ctx, q) -> alerts.ack(ctx.actor(), id(q)));
        r.query(AlertsService.LIST_RULES, Access.VIEWER, (ctx, q) -> new Rules(alerts.rules()));
        r.mutation(AlertsService.UPDATE_RULE, Access.ADMIN, (ctx, q) -> alerts.update(ctx.actor(),
                RpcMethod.required(q.name(), "name"), q.enabled(), q.windowSeconds(), q.threshold()));
    }

    private static long id(IdRequest q) {
        if (q.id() == null) {
            throw TiyiException.invalid("id is required");
        }
        return q.id();
    }
}
