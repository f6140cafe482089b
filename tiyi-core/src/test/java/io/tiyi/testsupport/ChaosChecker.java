package io.tiyi.testsupport;

import io.tiyi.testsupport.ChaosHistory.Ack;
import io.tiyi.testsupport.ChaosHistory.Applied;
import io.tiyi.testsupport.ChaosHistory.Promotion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The invariants a fault-injection run must keep, judged on its {@link ChaosHistory}:
 *
 * <ol>
 *   <li><b>One writer at a time.</b> A write is acknowledged at some instant between sending and
 *       the answer, so only orderings that hold for every such instant count: node A
 *       acknowledging a write that was sent after node B's acknowledged write had returned, while
 *       A had also acknowledged one that returned before B's was sent (A wrote before and after
 *       B), or A acknowledging at a lower epoch after B acknowledged at a higher one.
 *   <li><b>No acknowledged write lost.</b> After a graceful promotion every write the old
 *       primary acknowledged before it finished is on the new primary; and every write the final
 *       primary acknowledged is on it.
 *   <li><b>Agents never go back.</b> No agent applies a bundle of a lower epoch than one it
 *       applied before.
 * </ol>
 */
public final class ChaosChecker {
    private static final int SHOWN = 5;

    private ChaosChecker() {}

    /**
     * Every violation, one line each with the writes or bundles involved; empty if the run kept
     * every invariant.
     *
     * @param finalPrimary the node that is the read-write primary once every fault is healed, or null if none is
     * @param onFinalPrimary the ids of the writes present on it
     */
    public static List<String> violations(ChaosHistory h, String finalPrimary, Set<String> onFinalPrimary) {
        List<String> v = new ArrayList<>();
        v.addAll(oneWriterAtATime(h));
        v.addAll(noAcknowledgedWriteLost(h, finalPrimary, onFinalPrimary));
        v.addAll(agentsNeverGoBack(h));
        return v;
    }

    /**
     * Throws an {@link AssertionError} that names the seed, every violation and the history
     * summary, unless the run kept every invariant.
     */
    public static void assertHolds(ChaosHistory h, String finalPrimary, Set<String> onFinalPrimary) {
        List<String> v = violations(h, finalPrimary, onFinalPrimary);
        if (!v.isEmpty()) {
            throw new AssertionError("chaos seed " + h.seed() + " (replay with -Dchaos.seed=" + h.seed() + "): " + v.size()
                    + " violation(s)\n  " + String.join("\n  ", v) + "\nhistory:\n" + h.summary(120));
        }
    }

    static List<String> oneWriterAtATime(ChaosHistory h) {
        Map<String, List<Ack>> byNode = h.acks().stream().collect(Collectors.groupingBy(Ack::node));
        List<String> v = new ArrayList<>();
        for (var a : byNode.entrySet()) {
            Ack firstEnd = a.getValue().stream().min(Comparator.comparingLong(Ack::endNanos)).orElseThrow();
            for (var b : byNode.entrySet()) {
                if (a.getKey().equals(b.getKey())) {
                    continue;
                }
                int found = 0;
                for (Ack bw : b.getValue()) {
                    // The earliest write of A sent after B's returned: acknowledged strictly later.
                    Ack after = a.getValue().stream().filter(x -> x.startNanos() > bw.endNanos())
                            .min(Comparator.comparingLong(Ack::startNanos)).orElse(null);
                    if (after == null) {
                        continue;
                    }
                    String why = null;
                    if (firstEnd.endNanos() < bw.startNanos()) {
                        why = "two writers: " + a.getKey() + " acknowledged " + show(h, firstEnd) + ", then " + b.getKey() + " "
                                + show(h, bw) + ", then " + a.getKey() + " again " + show(h, after);
                    } else if (after.epoch() >= 0 && after.epoch() < bw.epoch()) {
                        why = "stale epoch: " + a.getKey() + " acknowledged " + show(h, after) + " after " + b.getKey()
                                + " acknowledged " + show(h, bw) + " at a higher epoch";
                    }
                    if (why != null && found++ < SHOWN) {
                        v.add(why);
                    }
                }
                if (found > SHOWN) {
                    v.add("... and " + (found - SHOWN) + " more writes of " + b.getKey() + " overlapped by " + a.getKey());
                }
            }
        }
        return v;
    }

    static List<String> noAcknowledgedWriteLost(ChaosHistory h, String finalPrimary, Set<String> onFinalPrimary) {
        List<String> v = new ArrayList<>();
        for (Promotion p : h.promotions()) {
            if (!p.graceful() || !p.to().equals(finalPrimary)) {
                continue;
            }
            List<Ack> lost = h.acks().stream().filter(a -> a.node().equals(p.from()) && a.endNanos() <= p.endNanos())
                    .filter(a -> !onFinalPrimary.contains(a.id())).sorted(Comparator.comparingLong(Ack::endNanos)).toList();
            if (!lost.isEmpty()) {
                v.add("lost on graceful promotion: " + lost.size() + " writes " + p.from() + " acknowledged before the promotion of "
                        + p.to() + " (done at " + h.ms(p.endNanos()) + " ms) are not on " + p.to() + ", first "
                        + lost.stream().limit(SHOWN).map(a -> show(h, a)).collect(Collectors.joining(", ")));
            }
        }
        if (finalPrimary == null) {
            v.add("no read-write primary once every fault was healed");
        } else {
            List<Ack> lost = h.acks().stream().filter(a -> a.node().equals(finalPrimary) && !onFinalPrimary.contains(a.id()))
                    .sorted(Comparator.comparingLong(Ack::endNanos)).toList();
            if (!lost.isEmpty()) {
                v.add("lost on the primary itself: " + lost.size() + " writes " + finalPrimary + " acknowledged are not on it, first "
                        + lost.stream().limit(SHOWN).map(a -> show(h, a)).collect(Collectors.joining(", ")));
            }
        }
        return v;
    }

    static List<String> agentsNeverGoBack(ChaosHistory h) {
        List<String> v = new ArrayList<>();
        Map<String, Applied> highest = new HashMap<>();
        for (Applied a : h.applied().stream().sorted(Comparator.comparingLong(Applied::atNanos)).toList()) {
            Applied before = highest.get(a.agent());
            if (before != null && a.epoch() < before.epoch()) {
                v.add("agent went back: " + a.agent() + " applied " + before.epoch() + "." + before.seq() + " at " + h.ms(before.atNanos())
                        + " ms, then " + a.epoch() + "." + a.seq() + " at " + h.ms(a.atNanos()) + " ms");
            } else if (before == null || a.epoch() > before.epoch()) {
                highest.put(a.agent(), a);
            }
        }
        return v;
    }

    private static String show(ChaosHistory h, Ack a) {
        return a.id() + "@" + a.epoch() + " [" + h.ms(a.startNanos()) + ".." + h.ms(a.endNanos()) + " ms]";
    }
}
