package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.CERTIFICATES;
import static io.tiyi.store.generated.Tables.ROUTES;
import static io.tiyi.store.generated.Tables.SITES;

import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import io.tiyi.store.generated.tables.records.SitesRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/** Mutations of sites and routes. Fields arrive validated; cross-row invariants are checked here, in the transaction. */
public final class SiteMutations {
    private SiteMutations() {}

    static void hostsFree(DSLContext db, String site, List<String> hosts) {
        for (SitesRecord other : db.selectFrom(SITES).where(SITES.NAME.ne(site)).fetch()) {
            List<String> taken = List.of(Json.read(other.getHosts(), String[].class));
            for (String h : hosts) {
                if (taken.contains(h)) {
                    throw TiyiException.alreadyExists("host '" + h + "' already belongs to site '" + other.getName() + "'");
                }
            }
        }
    }

    static void certificateExists(DSLContext db, String certificate) {
        if (certificate != null && !db.fetchExists(CERTIFICATES, CERTIFICATES.NAME.eq(certificate))) {
            throw TiyiException.notFound("no certificate named '" + certificate + "' (tiyi certs list)");
        }
    }

    static SitesRecord existing(DSLContext db, String name) {
        SitesRecord r = db.selectFrom(SITES).where(SITES.NAME.eq(name)).fetchOne();
        if (r == null) {
            throw TiyiException.notFound("no site named '" + name + "'");
        }
        return r;
    }

    private static Map<String, Object> details(List<String> hosts, List<String> upstreams, String lb, String healthPath, String cert) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("hosts", hosts);
        d.put("upstreams", upstreams);
        d.put("lb", lb);
        d.put("health_path", healthPath == null ? "" : healthPath);
        d.put("certificate", cert == null ? "" : cert);
        return d;
    }

    /** Creates or replaces a site's own fields (its routes are kept on update). */
    public record Put(String name, List<String> hosts, List<String> upstreams, String lb, String healthPath, String certificate,
            boolean create) implements Mutation<Void> {
        public static final String KIND = "sites.put";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            DSLContext db = ctx.db();
            boolean exists = db.fetchExists(SITES, SITES.NAME.eq(name));
            if (create && exists) {
                throw TiyiException.alreadyExists("a site named '" + name + "' already exists (tiyi sites update to change it)");
            }
            if (!create && !exists) {
                throw TiyiException.notFound("no site named '" + name + "'");
            }
            hostsFree(db, name, hosts);
            certificateExists(db, certificate);
            db.insertInto(SITES)
                    .set(SITES.NAME, name).set(SITES.HOSTS, Json.write(hosts)).set(SITES.UPSTREAMS, Json.write(upstreams))
                    .set(SITES.LB, lb).set(SITES.HEALTH_PATH, healthPath).set(SITES.CERTIFICATE, certificate)
                    .set(SITES.CREATED_AT, ctx.ts()).set(SITES.UPDATED_AT, ctx.ts())
                    .onConflict(SITES.NAME).doUpdate()
                    .set(SITES.HOSTS, Json.write(hosts)).set(SITES.UPSTREAMS, Json.write(upstreams)).set(SITES.LB, lb)
                    .set(SITES.HEALTH_PATH, healthPath).set(SITES.CERTIFICATE, certificate).set(SITES.UPDATED_AT, ctx.ts())
                    .execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord(create ? "sites.create" : "sites.update", "site:" + name, details(hosts, upstreams, lb, healthPath, certificate));
        }
    }

    /** Deletes a site and its routes. */
    public record Delete(String name) implements Mutation<Void> {
        public static final String KIND = "sites.delete";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            existing(ctx.db(), name);
            ctx.db().deleteFrom(SITES).where(SITES.NAME.eq(name)).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of("sites.delete", "site:" + name);
        }
    }

    /** Adds or replaces a path route. */
    public record PutRoute(String site, String pathPrefix, List<String> upstreams, String lb) implements Mutation<Void> {
        public static final String KIND = "sites.put_route";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            existing(ctx.db(), site);
            ctx.db().insertInto(ROUTES).set(ROUTES.SITE, site).set(ROUTES.PATH_PREFIX, pathPrefix)
                    .set(ROUTES.UPSTREAMS, Json.write(upstreams)).set(ROUTES.LB, lb).set(ROUTES.CREATED_AT, ctx.ts())
                    .onConflict(ROUTES.SITE, ROUTES.PATH_PREFIX).doUpdate()
                    .set(ROUTES.UPSTREAMS, Json.write(upstreams)).set(ROUTES.LB, lb).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("sites.put_route", "site:" + site, Map.of("path_prefix", pathPrefix, "upstreams", upstreams, "lb", lb));
        }
    }

    /** Removes a path route. */
    public record RemoveRoute(String site, String pathPrefix) implements Mutation<Void> {
        public static final String KIND = "sites.remove_route";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            int n = ctx.db().deleteFrom(ROUTES).where(ROUTES.SITE.eq(site).and(ROUTES.PATH_PREFIX.eq(pathPrefix))).execute();
            if (n == 0) {
                throw TiyiException.notFound("site '" + site + "' has no route for path prefix '" + pathPrefix + "'");
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("sites.remove_route", "site:" + site, Map.of("path_prefix", pathPrefix));
        }
    }

    /** The mutation types of sites, their WAF policies and the trust profile. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(Put.class, Delete.class, PutRoute.class, RemoveRoute.class, WafPolicies.SetPolicy.class,
                    WafPolicies.AddExclusion.class, WafPolicies.RemoveExclusion.class, TrustMutations.SetProfile.class,
                    TrustMutations.SetCdnRanges.class);
        }
    }
}
