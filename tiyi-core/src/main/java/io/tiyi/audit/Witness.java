package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.fleet.Fleet;
import io.tiyi.fleet.SetSigningKey;
import io.tiyi.internal.Json;
import io.tiyi.store.StateStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The chain compared with the checkpoints agents hold. Each agent keeps the newest checkpoint it
 * verified under its pinned key and reports it; every reported checkpoint that verifies under a
 * signing key this cluster has had must match the chain: it must have at least {@code count}
 * entries, and entry {@code count} must carry {@code head_hash}. Cutting the newest entries off
 * both {@code audit_log} and {@code mutation_log} leaves a chain that checks out on its own; only
 * a copy of its head kept elsewhere shows what is missing.
 */
public final class Witness {
    private Witness() {}

    /**
     * @param ok true when at least one agent holds a verified checkpoint and every such checkpoint fits the chain
     * @param agents how many agents reported a checkpoint that verifies
     * @param unverified how many reported one that verifies under no signing key of this cluster (not used)
     * @param agentId the agent holding the newest checkpoint, or null
     * @param checkpoint the newest checkpoint held, or null
     * @param firstBadId the first chain entry that contradicts a checkpoint, or 0
     * @param problem what is wrong, or empty
     */
    public record Result(boolean ok, int agents, int unverified, String agentId, Checkpoint checkpoint, long firstBadId, String problem) {}

    private record Held(String agentId, Checkpoint checkpoint) {}

    /**
     * @param currentKey the bundle signing key's public half now; earlier keys are read from
     *     {@code mutation_log}
     */
    static Result check(StateStore store, Fleet fleet, byte[] currentKey) {
        List<byte[]> keys = new ArrayList<>();
        keys.add(currentKey);
        keys.addAll(earlierKeys(store));
        List<Held> held = new ArrayList<>();
        int unverified = 0;
        for (Fleet.Agent a : fleet.agents()) {
            Optional<SignedCheckpoint> reported = fleet.lastReport(a.id()).map(Fleet.Seen::report).map(AgentReport::checkpoint);
            if (reported.isEmpty() || a.revoked()) {
                continue;
            }
            Optional<Checkpoint> c = keys.stream().map(k -> reported.get().open(k)).flatMap(Optional::stream).findFirst();
            if (c.isPresent()) {
                held.add(new Held(a.id(), c.get()));
            } else {
                unverified++;
            }
        }
        if (held.isEmpty()) {
            return new Result(false, 0, unverified, null, null, 0, "no agent has reported an audit checkpoint"
                    + (unverified > 0 ? " that verifies under this cluster's signing keys (" + unverified + " did not)" : "")
                    + "; agents receive one with their next bundle poll and report it within a minute");
        }
        held.sort(Comparator.comparingLong((Held h) -> h.checkpoint().count()).thenComparingLong(h -> h.checkpoint().ts()).reversed());
        Held newest = held.get(0);
        long entries = store.read(db -> Optional.ofNullable(db.select(org.jooq.impl.DSL.max(AUDIT_LOG.ID)).from(AUDIT_LOG)
                .fetchOne(0, Long.class)).orElse(0L));
        Held worst = null;
        long firstBad = Long.MAX_VALUE;
        String problem = "";
        for (Held h : held) {
            Checkpoint c = h.checkpoint();
            if (c.count() == 0) {
                continue;
            }
            if (c.count() > entries) {
                if (entries + 1 < firstBad) {
                    firstBad = entries + 1;
                    worst = h;
                    problem = "entry " + (entries + 1) + " is missing: agent " + h.agentId() + " holds a checkpoint signed by " + c.nodeId()
                            + " at epoch " + c.epoch() + " of " + c.count() + " entries, the chain has " + entries
                            + " (its newest entries were deleted)";
                }
                continue;
            }
            String hash = store.read(db -> db.select(AUDIT_LOG.HASH).from(AUDIT_LOG).where(AUDIT_LOG.ID.eq(c.count())).fetchOne(AUDIT_LOG.HASH));
            if (!c.headHash().equals(hash) && c.count() < firstBad) {
                firstBad = c.count();
                worst = h;
                problem = "entry " + c.count() + " is not the one agent " + h.agentId() + " holds a checkpoint of (epoch " + c.epoch()
                        + "): its hash is " + hash + ", the checkpoint says " + c.headHash() + " (the chain up to it was rewritten)";
            }
        }
        if (worst != null) {
            return new Result(false, held.size(), unverified, newest.agentId(), newest.checkpoint(), firstBad, problem);
        }
        return new Result(true, held.size(), unverified, newest.agentId(), newest.checkpoint(), 0, "");
    }

    /** Public keys of every earlier signing key, from the mutations that installed them. */
    private static List<byte[]> earlierKeys(StateStore store) {
        List<String> payloads = store.read(db -> db.select(MUTATION_LOG.PAYLOAD).from(MUTATION_LOG).where(MUTATION_LOG.KIND.eq(SetSigningKey.KIND))
                .fetch(MUTATION_LOG.PAYLOAD));
        List<byte[]> keys = new ArrayList<>();
        for (String p : payloads) {
            try {
                JsonNode n = Json.MAPPER.readTree(p).path("public_key");
                if (n.isTextual()) {
                    keys.add(Base64.getDecoder().decode(n.asText()));
                }
            } catch (java.io.IOException | IllegalArgumentException e) {
                // A payload that does not decode names no key; the agreement check reports a tampered log.
            }
        }
        return keys;
    }
}
