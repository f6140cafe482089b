package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.ROUTES;
import static io.tiyi.store.generated.Tables.SITES;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.internal.Json;
import io.tiyi.internal.Text;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.SitesRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Sites and their routes: validation, mutations, reads. */
public final class Sites implements RpcService {
    private final StateStore store;
    private final MutationPipeline pipeline;

    public Sites(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
    }

    /**
     * The fields of a site to create or update; null leaves a field as it is on update.
     *
     * @param hosts host names
     * @param upstreams default pool
     * @param lb policy
     * @param healthPath active health-check path; empty string clears it
     * @param certificate pinned certificate; empty string clears it
     */
    public record Spec(List<String> hosts, List<String> upstreams, String lb, String healthPath, String certificate) {}

    public Site create(String actor, String name, Spec spec) {
        SiteRules.plain(name, spec);
        SiteRules.name(name);
        pipeline.apply(actor, new SiteMutations.Put(name, SiteRules.hosts(spec.hosts()), SiteRules.upstreams(spec.upstreams()),
                SiteRules.lb(spec.lb()), blankToNull(SiteRules.path(emptyToNull(spec.healthPath()), "--health-path")),
                emptyToNull(spec.certificate()), true));
        return get(name);
    }

    public Site update(String actor, String name, Spec spec) {
        SiteRules.plain(name, spec);
        Site cur = get(name);
        List<String> hosts = spec.hosts() == null || spec.hosts().isEmpty() ? cur.hosts() : SiteRules.hosts(spec.hosts());
        List<String> ups = spec.upstreams() == null || spec.upstreams().isEmpty() ? cur.upstreams() : SiteRules.upstreams(spec.upstreams());
        String lb = spec.lb() == null ? cur.lb() : SiteRules.lb(spec.lb());
        String health = spec.healthPath() == null ? cur.healthPath() : emptyToNull(SiteRules.path(emptyToNull(spec.healthPath()), "--health-path"));
        String cert = spec.certificate() == null ? cur.certificate() : emptyToNull(spec.certificate());
        pipeline.apply(actor, new SiteMutations.Put(name, hosts, ups, lb, health, cert, false));
        return get(name);
    }

    public void delete(String actor, String name) {
        Text.requirePlain("name", name);
        pipeline.apply(actor, new SiteMutations.Delete(name));
    }

    public Site addRoute(String actor, String site, String pathPrefix, List<String> upstreams, String lb) {
        Text.requirePlain("site", site);
        Text.requirePlain("path_prefix", pathPrefix);
        Text.requirePlain("upstreams", upstreams);
        Text.requirePlain("lb", lb);
        if (pathPrefix == null) {
            throw TiyiException.invalid("--path-prefix is required");
        }
        pipeline.apply(actor, new SiteMutations.PutRoute(site, SiteRules.path(pathPrefix, "--path-prefix"), SiteRules.upstreams(upstreams),
                SiteRules.lb(lb)));
        return get(site);
    }

    public Site removeRoute(String actor, String site, String pathPrefix) {
        Text.requirePlain("site", site);
        Text.requirePlain("path_prefix", pathPrefix);
        pipeline.apply(actor, new SiteMutations.RemoveRoute(site, pathPrefix));
        return get(site);
    }

    public List<Site> list() {
        return store.read(db -> {
            Map<String, List<Site.Route>> routes = db.selectFrom(ROUTES).orderBy(ROUTES.SITE, ROUTES.PATH_PREFIX).fetch().stream()
                    .collect(Collectors.groupingBy(r -> r.getSite(), Collectors.mapping(
                            r -> new Site.Route(r.getPathPrefix(), List.of(Json.read(r.getUpstreams(), String[].class)), r.getLb()),
                            Collectors.toList())));
            return db.selectFrom(SITES).orderBy(SITES.NAME).fetch().stream()
                    .map(r -> toSite(r, routes.getOrDefault(r.getName(), List.of()))).toList();
        });
    }

    public Optional<Site> find(String name) {
        return list().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Site get(String name) {
        return find(name).orElseThrow(() -> TiyiException.notFound("no site named '" + Text.escape(name) + "'"));
    }

    static Site toSite(SitesRecord r, List<Site.Route> routes) {
        return new Site(r.getName(), List.of(Json.read(r.getHosts(), String[].class)), List.of(Json.read(r.getUpstreams(), String[].class)),
                r.getLb(), r.getHealthPath(), r.getCertificate(), routes, r.getCreatedAt(), r.getUpdatedAt());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public void register(RpcRegistry registry) {
        SitesRpc.register(registry, this);
    }
}
