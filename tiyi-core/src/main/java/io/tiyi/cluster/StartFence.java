package io.tiyi.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a primary that restarted, or that did not run for a while ({@link PauseWatch}), may
 * take mutations again: a forced promotion elsewhere may have made it stale while it was down or
 * stood still, and the only proof it is not is to see no higher epoch anywhere it can look. The
 * rule:
 *
 * <ol>
 *   <li>no control-plane peer known (a standalone node): open;
 *   <li>a peer that is a read-write primary at a higher epoch: step down (decided by {@link PeerWatch});
 *   <li>a peer at a higher epoch in any other role: stay fenced (the cluster moved on without this node);
 *   <li>every peer answered at this node's epoch or lower: open;
 *   <li>a peer did not answer: open once every separate agent that reported to this node in the
 *       minute before it stopped has reported since the restart (since a second after the fence
 *       was raised, after a pause), none of them with a higher epoch
 *       (one with a higher epoch makes this node step down at once, see
 *       {@link ClusterRole#onAgentReport}). Agents report to every endpoint they know, so an
 *       agent that follows a newer primary shows it here. With no such agent there is no
 *       evidence, and the node stays fenced.
 * </ol>
 *
 * Until it opens, the node refuses every mutation with the reason; after {@code wait} the reason
 * says it stays read-only, and the checks go on every 5 s ({@code tiyi system resume-writes --yes}
 * overrides).
 */
final class StartFence {
    /**
     * One round of asking the peers.
     *
     * @param known every control-plane peer asked
     * @param epochs the epoch each peer that answered holds
     * @param silent the peers that did not answer
     * @param askedNanos when the round began ({@link System#nanoTime})
     */
    record Round(List<String> known, Map<String, Long> epochs, List<String> silent, long askedNanos) {
        /** A round asked now. */
        Round(List<String> known, Map<String, Long> epochs, List<String> silent) {
            this(known, epochs, silent, System.nanoTime());
        }
    }

    /** How long after a pause fence is raised agents' reports start to count. */
    static final Duration REPORT_GRACE = Duration.ofSeconds(1);

    private final Set<String> expected;
    private final Duration wait;
    private final long startedAt;
    private final String cause;
    private final Long raisedNanos;
    private final Map<String, Long> reported = new ConcurrentHashMap<>();

    /**
     * @param expected the separate agents that reported to this node in the minute before it stopped
     * @param wait how long it waits for their reports before it says it stays read-only
     * @param startedAt when the node started, ms
     */
    StartFence(List<String> expected, Duration wait, long startedAt) {
        this(expected, wait, startedAt, "a restart", null);
    }

    /**
     * The same fence raised on a running node that did not run for a while ({@link PauseWatch}).
     *
     * @param cause what the node went through, for the reason: {@code a restart}, {@code a pause of 3.1 s}
     * @param raisedNanos when it was raised ({@link System#nanoTime}): rounds asked and reports received before say nothing
     *     of what happened during the pause; null for the fence of a start, where nothing predates it
     */
    StartFence(List<String> expected, Duration wait, long startedAt, String cause, Long raisedNanos) {
        this.expected = Set.copyOf(expected);
        this.wait = wait;
        this.startedAt = startedAt;
        this.cause = cause;
        this.raisedNanos = raisedNanos;
    }

    /** Whether {@code round} was asked after this fence was raised, so that it may settle it. */
    boolean settles(Round round) {
        return raisedNanos == null || round.askedNanos() - raisedNanos >= 0;
    }

    /**
     * An agent reported the highest epoch it has seen. After a pause, reports that waited in the
     * node's sockets while it stood still are read first and may predate a promotion; only those
     * received a moment after the fence was raised count.
     */
    void reported(String agentId, long epochSeen, long nowNanos) {
        if (raisedNanos == null || nowNanos - raisedNanos >= REPORT_GRACE.toNanos()) {
            reported.merge(agentId, epochSeen, Math::max);
        }
    }

    /** An agent reported the highest epoch it has seen. */
    void reported(String agentId, long epochSeen) {
        reported(agentId, epochSeen, System.nanoTime());
    }

    /** What the node went through: {@code a restart}, or the pause it did not run for. */
    String cause() {
        return cause;
    }

    /** Null when the node may open; otherwise why it stays fenced, for the 409, the log and the status. */
    String verdict(Round round, long epoch, long now) {
        if (round.known().isEmpty()) {
            return null;
        }
        for (Map.Entry<String, Long> e : round.epochs().entrySet()) {
            if (e.getValue() > epoch) {
                return "read-only: peer " + e.getKey() + " is at epoch " + e.getValue() + ", higher than this node's " + epoch
                        + ", without being the read-write primary; the cluster moved on without this node: find the primary"
                        + " (tiyi system status on each node), or run tiyi system resume-writes --yes if this node must be it";
            }
        }
        if (round.silent().isEmpty()) {
            return null;
        }
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeIf(id -> reported.getOrDefault(id, Long.MAX_VALUE) <= epoch);
        if (!expected.isEmpty() && missing.isEmpty()) {
            return null;
        }
        long seen = expected.size() - missing.size();
        String evidence = expected.isEmpty() ? "no separate agent reported to it in the minute before it stopped, so agents' reports cannot"
                + " confirm it either"
                : seen + " of the " + expected.size() + " agents active before " + cause + " reported since, none with a higher epoch";
        boolean waiting = now - startedAt < wait.toMillis();
        return "read-only after " + cause + " at epoch " + epoch + " until no newer primary is confirmed: peer" + (round.silent().size() == 1 ? " " : "s ")
                + String.join(", ", round.silent()) + " did not answer; " + evidence + (waiting && !expected.isEmpty()
                        ? "; waiting up to " + wait.toSeconds() + " s for their reports"
                        : "; it stays read-only and checks again every 5 s; once sure no other primary serves, run tiyi system resume-writes --yes");
    }
}
