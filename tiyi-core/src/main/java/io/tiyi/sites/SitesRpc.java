package io.tiyi.sites;

import io.tiyi.api.Access;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.SitesService;
import io.tiyi.client.rpc.SitesService.ListRequest;
import io.tiyi.client.rpc.SitesService.NameRequest;
import io.tiyi.client.rpc.SitesService.PutRequest;
import io.tiyi.client.rpc.SitesService.RouteRequest;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.SitesService}: sites, their upstream pools and path routes. */
final class SitesRpc {

    record SiteList(List<Site> sites, int total) {}

    private SitesRpc() {}

    static void register(RpcRegistry r, Sites sites) {
        r.query(SitesService.LIST, Access.VIEWER, (ctx, q) -> {
            Paging.Page<Site> p = Paging.page(sites.list(), q.filter(), q.offset(), q.limit(),
                    s -> Stream.of(Stream.of(s.name(), s.certificate()), Paging.each(s.hosts()), Paging.each(s.upstreams())).flatMap(x -> x));
            return new SiteList(p.items(), p.total());
        });
        r.query(SitesService.GET, Access.VIEWER, (ctx, q) -> sites.get(RpcMethod.required(q.name(), "name")));
        r.mutation(SitesService.CREATE, Access.OPERATOR, (ctx, q) -> sites.create(ctx.actor(), q.name(),
                new Sites.Spec(q.hosts(), q.upstreams(), q.lb(), q.healthPath(), q.certificate())));
        r.mutation(SitesService.UPDATE, Access.OPERATOR, (ctx, q) -> sites.update(ctx.actor(), RpcMethod.required(q.name(), "name"),
                new Sites.Spec(q.hosts(), q.upstreams(), q.lb(), q.healthPath(), q.certificate())));
        r.mutation(SitesService.DELETE, Access.OPERATOR, (ctx, q) -> {
            sites.delete(ctx.actor(), RpcMethod.required(q.name(), "name"));
            return Empty.INSTANCE;
        });
        r.mutation(SitesService.ADD_ROUTE, Access.OPERATOR, (ctx, q) -> sites.addRoute(ctx.actor(), RpcMethod.required(q.site(), "site"), q.pathPrefix(), q.upstreams(), q.lb()));
        r.mutation(SitesService.REMOVE_ROUTE, Access.OPERATOR, (ctx, q) -> sites.removeRoute(ctx.actor(), RpcMethod.required(q.site(), "site"), q.pathPrefix()));
    }
}
