package io.tiyi.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The primary's view of the secondaries that follow its log: each Pull says how far the secondary
 * got (the seq it asks entries after). A secondary is stalled when the primary is ahead of it and
 * its position has not moved for {@link #stallAfterMs()}, whether it fails to replay (it asks
 * for the same entries again and again) or stopped asking. The secondary itself reports the same
 * on its {@code /healthz}; the primary is where alerts are evaluated and committed.
 */
final class Followers {
    /** How long a secondary may stand still behind the primary before it counts as stalled, unless set otherwise. */
    static final long STALL_AFTER_MS = 30_000;

    /**
     * A secondary behind the primary with no progress.
     *
     * @param agentId the secondary's agent id
     * @param seq where it stands
     * @param behind how many mutations it misses
     * @param sinceMs how long it has not moved
     */
    record Stalled(String agentId, long seq, long behind, long sinceMs) {
        String detail() {
            return "secondary " + agentId + " stands at seq " + seq + ", " + behind + " behind, with no progress for " + sinceMs / 1000
                    + " s; see its log and /healthz";
        }
    }

    /** Where a secondary stands, since when, and since when the primary is ahead of it (0 while it is not). */
    /**
     * The stall time in force: {@link #STALL_AFTER_MS}, or the system property
     * {@code tiyi.replication.stall_after_ms} (drills and tests that cannot wait half a minute).
     */
    static long stallAfterMs() {
        return Math.max(1_000, Long.getLong("tiyi.replication.stall_after_ms", STALL_AFTER_MS));
    }

    private record Position(long seq, long movedAt, long behindSince) {}

    private final LongSupplier clock;
    private final Map<String, Position> positions = new ConcurrentHashMap<>();

    Followers(LongSupplier clock) {
        this.clock = clock;
    }

    /** A secondary asked for the entries after {@code seq}. */
    void pulled(String agentId, long seq) {
        long now = clock.getAsLong();
        positions.compute(agentId, (id, p) -> p == null || p.seq() != seq ? new Position(seq, now, 0) : p);
    }

    /** The secondaries stalled now, given the primary's last seq. */
    List<Stalled> stalled(long primarySeq) {
        long now = clock.getAsLong();
        List<Stalled> out = new ArrayList<>();
        positions.replaceAll((id, p) -> primarySeq <= p.seq() ? new Position(p.seq(), p.movedAt(), 0)
                : p.behindSince() == 0 ? new Position(p.seq(), p.movedAt(), now) : p);
        positions.forEach((id, p) -> {
            // An idle secondary has not moved for long because there was nothing to replay: count from when there was.
            long still = now - Math.max(p.movedAt(), p.behindSince());
            if (p.behindSince() != 0 && still >= stallAfterMs()) {
                out.add(new Stalled(id, p.seq(), primarySeq - p.seq(), still));
            }
        });
        return out;
    }

    /** Forgets a secondary (it was promoted, revoked, or this node stepped down). */
    void forget(String agentId) {
        positions.remove(agentId);
    }
}
