package io.tiyi.api;

import io.tiyi.TiyiException;

import io.tiyi.auth.Sessions;
import io.tiyi.auth.Users;
import io.tiyi.certs.Certificates;
import io.tiyi.events.EventLog;
import io.tiyi.settings.Settings;
import io.tiyi.sites.Sites;
import io.tiyi.store.StateStore;
import java.util.function.Supplier;

/** Registers every RPC service of a control-plane node: the one place that lists them. */
public final class ControlPlaneApi {
    private ControlPlaneApi() {}

    /** Builds the registry of all methods. */
    public static RpcRegistry registry(StateStore store, Sessions sessions, Users users, Settings settings, Supplier<NodeStatus> status,
            long startedAt, Sites sites, Certificates certificates, EventLog events, io.tiyi.sites.WafPolicies wafPolicies,
            io.tiyi.sites.RuntimeCompiler compiler, io.tiyi.fleet.Fleet fleet, io.tiyi.fleet.BundleService bundles,
            java.util.function.Function<String, String[]> rotateSigningKey, java.util.function.Supplier<String> notPrimary,
            java.util.function.BiConsumer<String, io.tiyi.bundle.AgentReport> onReport, io.tiyi.cluster.ReplicationSource replication,
            java.util.function.Supplier<io.tiyi.cluster.Handover> control, java.util.function.Function<Boolean, Object> promote,
            io.tiyi.sites.Trust trust, io.tiyi.alerts.Alerts alerts, io.tiyi.siem.SiemDispatcher siem, io.tiyi.release.Releases releases,
            java.util.function.Supplier<Object> resumeWrites) {
        RpcRegistry r = new RpcRegistry();
        AuthRpc.register(r, sessions, users);
        UsersRpc.register(r, users);
        SystemRpc.register(r, status, settings, startedAt);
        AuditRpc.register(r, store);
        SitesRpc.register(r, sites);
        CertificatesRpc.register(r, certificates);
        EventsRpc.register(r, events);
        WafRpc.register(r, wafPolicies, settings);
        AgentsRpc.register(r, fleet, bundles, status, onReport);
        ReplicationRpc.register(r, fleet, replication, control, new io.tiyi.store.Blobs(store));
        TrustRpc.register(r, trust);
        AlertsRpc.register(r, alerts);
        ReleasesRpc.register(r, releases);
        SiemRpc.register(r, siem, () -> siem.configure(io.tiyi.sites.RuntimeCompiler.siemConfig(settings)));
        // Not a mutation either: it is what lets a read-only primary take mutations again.
        r.query(SystemRpc.SERVICE, "ResumeWrites", Access.ADMIN, SystemRpc.ResumeRequest.class, (ctx, q) -> {
            if (q.yes() == null || !q.yes()) {
                throw TiyiException.failedPrecondition("not resumed: make sure no other primary serves this cluster (a restored backup may be"
                        + " older than the cluster), then run again with --yes");
            }
            return resumeWrites.get();
        });
        // Not a replicated mutation: it changes this node's role, and must work on a read-only secondary.
        r.query(SystemRpc.SERVICE, "Promote", Access.ADMIN, SystemRpc.PromoteRequest.class,
                (ctx, q) -> promote.apply(q.force() != null && q.force()));
        BundlesRpc.register(r, fleet, bundles, actor -> {
            String[] fps = rotateSigningKey.apply(actor);
            return new BundlesRpc.Rotated(fps[0], fps[1]);
        }, notPrimary);
        return r;
    }
}
