package io.tiyi.sites;

import io.tiyi.api.Access;
import io.tiyi.api.Empty;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcRegistry;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.SitesService}: sites, their upstream pools and path routes. */
final class SitesRpc {
    static final String SERVICE = "SitesService";

    record PutRequest(String name, List<String> hosts, List<String> upstreams, String lb, String healthPath, String certificate) {}

    record NameRequest(String name) {}

    record RouteRequest(String site, String pathPrefix, List<String> upstreams, String lb) {}

    /** {@code filter} matches a name, host, upstream or certificate name. */
    record ListRequest(String filter, Integer offset, Integer limit) {}

    record SiteList(List<Site> sites, int total) {}

    private SitesRpc() {}

    static void register(RpcRegistry r, Sites sites) {
        r.query(SERVICE, "List", Access.VIEWER, ListRequest.class, (ctx, q) -> {
            Paging.Page<Site> p = Paging.page(sites.list(), q.filter(), q.offset(), q.limit(),
                    s -> Stream.of(Stream.of(s.name(), s.certificate()), Paging.each(s.hosts()), Paging.each(s.upstreams())).flatMap(x -> x));
            return new SiteList(p.items(), p.total());
        });
        r.query(SERVICE, "Get", Access.VIEWER, NameRequest.class, (ctx, q) -> sites.get(q.name()));
        r.mutation(SERVICE, "Create", Access.OPERATOR, PutRequest.class, (ctx, q) -> sites.create(ctx.actor(), q.name(),
                new Sites.Spec(q.hosts(), q.upstreams(), q.lb(), q.healthPath(), q.certificate())));
        r.mutation(SERVICE, "Update", Access.OPERATOR, PutRequest.class, (ctx, q) -> sites.update(ctx.actor(), q.name(),
                new Sites.Spec(q.hosts(), q.upstreams(), q.lb(), q.healthPath(), q.certificate())));
        r.mutation(SERVICE, "Delete", Access.OPERATOR, NameRequest.class, (ctx, q) -> {
            sites.delete(ctx.actor(), q.name());
            return Empty.INSTANCE;
        });
        r.mutation(SERVICE, "AddRoute", Access.OPERATOR, RouteRequest.class,
                (ctx, q) -> sites.addRoute(ctx.actor(), q.site(), q.pathPrefix(), q.upstreams(), q.lb()));
        r.mutation(SERVICE, "RemoveRoute", Access.OPERATOR, RouteRequest.class,
                (ctx, q) -> sites.removeRoute(ctx.actor(), q.site(), q.pathPrefix()));
    }
}
