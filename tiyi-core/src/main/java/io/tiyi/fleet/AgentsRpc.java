package io.tiyi.fleet;

import io.tiyi.TiyiException;
import io.tiyi.TiyiVersion;
import io.tiyi.api.Access;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Enrollment;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.AgentsService.EnrollRequest;
import io.tiyi.client.rpc.AgentsService.EnrollResponse;
import io.tiyi.client.rpc.AgentsService.IdRequest;
import io.tiyi.client.rpc.AgentsService.IssueRequest;
import io.tiyi.client.rpc.AgentsService.ListRequest;
import io.tiyi.client.rpc.AgentsService.ReportResponse;
import io.tiyi.client.rpc.Empty;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.proxy.UpstreamHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** {@code tiyi.v1.AgentsService}: enrollment tokens, enrollment, the fleet and agents' reports. */
final class AgentsRpc {

    record TokenList(List<Fleet.TokenInfo> tokens) {}

    record AgentView(String id, String tag, boolean revoked, long enrolledAt, String enrolledFrom, String address, String bundleVersion,
            long lag, long lastSeen, String health, String binaryVersion, String os, String arch, long uptimeSeconds, long epochSeen,
            String refused, List<UpstreamHealth> upstreams) {}

    record AgentList(List<AgentView> agents, int total) {}

    private AgentsRpc() {}

    /** Go-style durations as the CLI takes them: {@code 90s}, {@code 15m}, {@code 1h}, {@code 1h30m}, {@code 7d}. */
    static Duration duration(String s, String field) {
        if (s == null || s.isBlank()) {
            return Duration.ofHours(1);
        }
        try {
            return io.tiyi.internal.Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw TiyiException.invalid(field + " must be " + e.getMessage() + ", got '" + s + "'");
        }
    }

    static void register(RpcRegistry r, Fleet fleet, BundleService bundles) {
        r.mutation(AgentsService.ISSUE_TOKEN, Access.ADMIN, (ctx, q) -> fleet.issueToken(ctx.actor(), q.tag(), duration(q.ttl(), "ttl")));
        r.query(AgentsService.LIST_TOKENS, Access.VIEWER, (ctx, q) -> new TokenList(fleet.tokens()));
        r.mutation(AgentsService.REVOKE_TOKEN, Access.ADMIN, (ctx, q) -> {
            fleet.revokeToken(ctx.actor(), RpcMethod.required(q.id(), "id"));
            return null;
        });
        r.mutation(AgentsService.ENROLL, Access.PUBLIC, (ctx, q) -> {
            if (q.x25519Public() == null || q.ed25519Public() == null || q.proof() == null) {
                throw TiyiException.invalid("enrollment needs x25519_public, ed25519_public and proof");
            }
            byte[] proofMessage = Enrollment.proofMessage(RpcMethod.required(q.token(), "token"), q.x25519Public());
            if (!Ed25519KeyPair.verify(q.ed25519Public(), proofMessage, q.proof())) {
                throw TiyiException.unauthenticated("enrollment proof does not verify with the ed25519 key the agent presented");
            }
            Fleet.Enrolled e = fleet.enroll(q.token(), q.x25519Public(), q.ed25519Public(), ctx.client());
            byte[] key = bundles.signingKeyPublic();
            return new EnrollResponse(e.agentId(), e.credential(), e.tag(), key, Ed25519KeyPair.fingerprint(key), bundles.epoch(),
                    TiyiVersion.version());
        });
        r.query(AgentsService.LIST, Access.VIEWER, (ctx, q) -> {
            List<AgentView> out = new ArrayList<>();
            for (Fleet.Agent a : fleet.agents()) {
                out.add(view(a, fleet, bundles));
            }
            Paging.Page<AgentView> p = Paging.page(out, q.filter(), q.offset(), q.limit(), v -> Stream.of(v.id(), v.tag(),
                    v.address(), v.health(), v.binaryVersion(), v.bundleVersion()));
            return new AgentList(p.items(), p.total());
        });
        r.query(AgentsService.GET, Access.VIEWER, (ctx, q) -> view(fleet.agent(RpcMethod.required(q.id(), "id"))
                .orElseThrow(() -> TiyiException.notFound("no agent with id '" + q.id() + "' (tiyi agents list)")), fleet, bundles));
        r.mutation(AgentsService.REVOKE, Access.ADMIN, (ctx, q) -> {
            fleet.revoke(ctx.actor(), RpcMethod.required(q.id(), "id"));
            return null;
        });
        r.query(AgentsService.REPORT, Access.AGENT, (ctx, q) -> {
            fleet.report(ctx.agentId(), q, ctx.client());
            long[] v = bundles.version();
            // Agents decode this answer strictly: only those of this very build are sent the field they know.
            List<String> endpoints = TiyiVersion.version().equals(q.binaryVersion()) ? bundles.endpoints() : null;
            return new ReportResponse(bundles.epoch(), bundles.notPrimaryReason() == null, v[0] + "." + v[1], endpoints);
        });
    }

    private static AgentView view(Fleet.Agent a, Fleet fleet, BundleService bundles) {
        Optional<Fleet.Seen> seen = fleet.lastReport(a.id());
        long[] v = bundles.version();
        AgentReport r = seen.map(Fleet.Seen::report).orElse(null);
        long lag = r == null ? -1 : r.bundleEpoch() == v[0] ? Math.max(0, v[1] - r.bundleSeq()) : r.bundleEpoch() < v[0] ? v[1] : 0;
        return new AgentView(a.id(), a.tag(), a.revoked(), a.enrolledAt(), a.enrolledFrom(), r == null ? null : r.address(),
                r == null || r.bundleEpoch() == 0 ? null : r.bundleEpoch() + "." + r.bundleSeq(), lag, seen.map(Fleet.Seen::at).orElse(0L),
                a.revoked() ? "revoked" : r == null ? "unknown" : seen.get().at() < System.currentTimeMillis() - 30_000 ? "stale" : r.health(),
                r == null ? null : r.binaryVersion(), r == null ? null : r.os(), r == null ? null : r.arch(), r == null ? 0 : r.uptimeSeconds(),
                r == null ? 0 : r.epochSeen(), r == null ? null : r.refused(), r == null ? List.of() : r.upstreams());
    }
}
