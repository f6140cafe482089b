package io.tiyi.api;

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
            io.tiyi.sites.RuntimeCompiler compiler, io.tiyi.bundle.Fleet fleet, io.tiyi.bundle.BundleService bundles,
            java.util.function.Function<String, String[]> rotateSigningKey) {
        RpcRegistry r = new RpcRegistry();
        AuthRpc.register(r, sessions, users);
        UsersRpc.register(r, users);
        SystemRpc.register(r, status, settings, startedAt);
        AuditRpc.register(r, store);
        SitesRpc.register(r, sites);
        CertificatesRpc.register(r, certificates);
        EventsRpc.register(r, events);
        WafRpc.register(r, wafPolicies, settings);
        AgentsRpc.register(r, fleet, bundles, status);
        BundlesRpc.register(r, fleet, bundles, actor -> {
            String[] fps = rotateSigningKey.apply(actor);
            return new BundlesRpc.Rotated(fps[0], fps[1]);
        });
        return r;
    }
}
