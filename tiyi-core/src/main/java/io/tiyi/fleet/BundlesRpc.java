package io.tiyi.fleet;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.RpcHandler;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.bundle.RulesArchive;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.client.rpc.BundlesService;
import io.tiyi.client.rpc.BundlesService.RotateRequest;
import io.tiyi.client.rpc.BundlesService.RulesRequest;
import io.tiyi.client.rpc.BundlesService.WatchRequest;
import io.tiyi.client.rpc.Empty;
import io.tiyi.crypto.Ed25519KeyPair;
import java.time.Duration;

/** {@code tiyi.v1.BundlesService}: agents' long poll for bundles and rule archives, and the signing key. */
final class BundlesRpc {

    /**
     * @param checkpoint the newest signed audit checkpoint, or null; agents of builds that do not
     *     know it read {@code changed} and {@code bundle} only
     * @param endpoints every control-plane endpoint this node knows, with every answer (an unsigned
     *     hint for finding the primary; the bundle's own list is what its signature covers)
     */
    record WatchResponse(boolean changed, SignedBundle bundle, SignedCheckpoint checkpoint, java.util.List<String> endpoints) {}

    record RulesResponse(String hash, byte[] archive) {}

    record Status(long epoch, long seq, String signingKeyFingerprint) {}

    private BundlesRpc() {}

    static void register(RpcRegistry r, Fleet fleet, BundleService bundles) {
        r.query(BundlesService.WATCH, Access.AGENT, (ctx, q) -> {
            String refusal = bundles.notPrimaryReason();
            if (refusal != null) {
                throw TiyiException.failedPrecondition(refusal);
            }
            Fleet.Agent agent = fleet.agent(ctx.agentId()).orElseThrow();
            long ms = q.timeoutMs() == null ? 25_000 : q.timeoutMs();
            if (ms < 0 || ms > RpcHandler.MAX_WAIT.toMillis()) {
                throw TiyiException.invalid("timeout_ms must be 0 to " + RpcHandler.MAX_WAIT.toMillis() + ", got " + ms);
            }
            return bundles.watch(agent, q.afterEpoch(), q.afterSeq(), Duration.ofMillis(ms)).thenApply(w -> {
                // The credential was checked when the poll arrived; a revocation committed while it waited (whose own
                // commit publishes a new version and so answers it) must not hand the agent one more bundle.
                if (w.changed() && fleet.agent(agent.id()).map(Fleet.Agent::revoked).orElse(true)) {
                    throw TiyiException.unauthenticated("agent credential is not valid: unknown or revoked agent; re-enroll it with a new"
                            + " token (tiyi agents issue-token)");
                }
                return new WatchResponse(w.changed(), w.bundle(), bundles.checkpoint(), bundles.endpoints());
            });
        });
        r.query(BundlesService.GET_RULES, Access.AGENT, (ctx, q) -> {
            RulesArchive a = bundles.rules(RpcMethod.required(q.hash(), "hash")).orElseThrow(() -> TiyiException.notFound(
                    "rule archive " + q.hash() + " is not served by this control plane; wait for the next bundle"));
            return new RulesResponse(a.hash(), a.compressed());
        });
        r.query(BundlesService.STATUS, Access.VIEWER, (ctx, q) -> {
            long[] v = bundles.version();
            return new Status(v[0], v[1], Ed25519KeyPair.fingerprint(bundles.signingKeyPublic()));
        });
        r.mutation(BundlesService.ROTATE_SIGNING_KEY, Access.ADMIN, (ctx, q) -> {
            if (q.yes() == null || !q.yes()) {
                throw TiyiException.failedPrecondition("rotating the bundle signing key makes every agent refuse new bundles until it is"
                        + " re-enrolled; confirm with --yes");
            }
            return bundles.rotateSigningKey(ctx.actor());
        });
    }
}
