package io.tiyi.testsupport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a fault-injection run saw, recorded from many threads at once: every acknowledged write
 * (which node answered 200, at which epoch, between which instants), every change of the bundle
 * an agent applies, every fault injected and every promotion. {@link ChaosChecker} judges it;
 * {@link #summary} prints it compactly when a check fails. Times are {@link System#nanoTime()}
 * and printed in milliseconds since the history began.
 */
public final class ChaosHistory {
    /** A write a node acknowledged: sent at {@code startNanos}, answered with success at {@code endNanos}. */
    public record Ack(String id, String node, long epoch, long startNanos, long endNanos) {}

    /** An agent started serving bundle {@code epoch.seq} (seen by a sampler at {@code atNanos}). */
    public record Applied(String agent, long atNanos, long epoch, long seq) {}

    /** A promotion that succeeded: {@code from} was the primary, {@code to} is; acknowledged at {@code endNanos}. */
    public record Promotion(String from, String to, boolean graceful, long endNanos) {}

    /** Something that happened to the cluster: a fault, a heal, a role change seen by a sampler. */
    public record Event(long atNanos, boolean fault, String what) {}

    private final long seed;
    private final long origin = System.nanoTime();
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Promotion> promotions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final Map<String, long[]> lastApplied = new ConcurrentHashMap<>();
    private final Map<String, String> lastRole = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestFailures = new AtomicLong();

    public ChaosHistory(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    public void ack(String id, String node, long epoch, long startNanos, long endNanos) {
        acks.add(new Ack(id, node, epoch, startNanos, endNanos));
    }

    /** A write that was not acknowledged (refused, cut or timed out): nothing may be expected of it. */
    public void notAcknowledged() {
        refused.incrementAndGet();
    }

    /** One request through an agent's data plane and whether it was answered 200. */
    public void request(boolean ok) {
        requests.incrementAndGet();
        if (!ok) {
            requestFailures.incrementAndGet();
        }
    }

    /**
     * What a sampler sees an agent serve; only changes are kept. Epoch 0 means it serves no
     * bundle yet (a restarted agent before it loads its last good one) and is not an application.
     */
    public void sampleApplied(String agent, long epoch, long seq) {
        if (epoch == 0) {
            return;
        }
        long[] prev = lastApplied.put(agent, new long[] {epoch, seq});
        if (prev == null || prev[0] != epoch || prev[1] != seq) {
            applied.add(new Applied(agent, System.nanoTime(), epoch, seq));
        }
    }

    /** What a sampler sees a control-plane node be (for example {@code primary@1 rw}); only changes are kept. */
    public void sampleRole(String node, String role) {
        if (!Objects.equals(lastRole.put(node, role), role)) {
            events.add(new Event(System.nanoTime(), false, node + " is " + role));
        }
    }

    public void fault(String what) {
        events.add(new Event(System.nanoTime(), true, what));
    }

    public void note(String what) {
        events.add(new Event(System.nanoTime(), false, what));
    }

    public void promoted(String from, String to, boolean graceful) {
        promotions.add(new Promotion(from, to, graceful, System.nanoTime()));
        note((graceful ? "graceful" : "forced") + " promotion of " + to + " done");
    }

    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    public List<Applied> applied() {
        return List.copyOf(applied);
    }

    public List<Promotion> promotions() {
        return List.copyOf(promotions);
    }

    public long faults() {
        return events.stream().filter(Event::fault).count();
    }

    public long notAcknowledgedCount() {
        return refused.get();
    }

    public long requests() {
        return requests.get();
    }

    public long requestFailures() {
        return requestFailures.get();
    }

    /** When the history began ({@link System#nanoTime()}). */
    long originNanos() {
        return origin;
    }

    /** Milliseconds since the history began, as {@link #summary} prints them. */
    public long ms(long nanos) {
        return (nanos - origin) / 1_000_000;
    }

    /** One line of figures: what the run did. */
    public String figures() {
        return "seed " + seed + ": " + faults() + " faults, " + acks.size() + " writes acknowledged, " + refused.get()
                + " not acknowledged, " + applied.size() + " bundle changes at agents, " + requests.get() + " requests through agents ("
                + requestFailures.get() + " not 200)";
    }

    /**
     * The run as a timeline: faults, role changes and promotions, each node's acknowledged writes
     * as runs (first and last instant, count, epoch) and each agent's bundle changes, at most
     * {@code maxLines} lines.
     */
    public String summary(int maxLines) {
        List<long[]> order = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Event e : events) {
            order.add(new long[] {e.atNanos(), lines.size()});
            lines.add(String.format("%7d ms %s %s", ms(e.atNanos()), e.fault() ? "FAULT" : "     ", e.what()));
        }
        List<Ack> sorted = new ArrayList<>(acks);
        sorted.sort(Comparator.comparingLong(Ack::endNanos));
        Map<String, long[]> run = new LinkedHashMap<>();
        String current = null;
        for (Ack a : sorted) {
            String key = a.node() + "@" + a.epoch();
            if (!key.equals(current) && current != null) {
                flush(current, run.remove(current), order, lines);
            }
            current = key;
            long[] r = run.computeIfAbsent(key, k -> new long[] {a.startNanos(), a.endNanos(), 0});
            r[1] = a.endNanos();
            r[2]++;
        }
        if (current != null) {
            flush(current, run.remove(current), order, lines);
        }
        // An agent's bundles within one epoch are one line: the epochs are what the checker judges.
        Map<String, Applied[]> epochRun = new LinkedHashMap<>();
        Map<String, Integer> runLength = new LinkedHashMap<>();
        for (Applied a : applied) {
            Applied[] r = epochRun.get(a.agent());
            if (r != null && r[0].epoch() == a.epoch()) {
                r[1] = a;
                runLength.merge(a.agent(), 1, Integer::sum);
                continue;
            }
            if (r != null) {
                applies(r, runLength.get(a.agent()), order, lines);
            }
            epochRun.put(a.agent(), new Applied[] {a, a});
            runLength.put(a.agent(), 1);
        }
        epochRun.forEach((agent, r) -> applies(r, runLength.get(agent), order, lines));
        order.sort(Comparator.comparingLong(o -> o[0]));
        StringBuilder b = new StringBuilder(figures()).append('\n');
        int shown = 0;
        for (long[] o : order) {
            if (shown++ == maxLines) {
                b.append("  ... ").append(order.size() - maxLines).append(" more lines\n");
                break;
            }
            b.append(lines.get((int) o[1])).append('\n');
        }
        return b.toString();
    }

    private void applies(Applied[] run, int n, List<long[]> order, List<String> lines) {
        order.add(new long[] {run[0].atNanos(), lines.size()});
        lines.add(n == 1 ? String.format("%7d ms       %s applies %d.%d", ms(run[0].atNanos()), run[0].agent(), run[0].epoch(), run[0].seq())
                : String.format("%7d ms       %s applies %d.%d to %d.%d (%d bundles) until %d ms", ms(run[0].atNanos()), run[0].agent(),
                        run[0].epoch(), run[0].seq(), run[1].epoch(), run[1].seq(), n, ms(run[1].atNanos())));
    }

    private void flush(String key, long[] r, List<long[]> order, List<String> lines) {
        order.add(new long[] {r[0], lines.size()});
        lines.add(String.format("%7d ms       %s acknowledged %d writes until %d ms", ms(r[0]), key, r[2], ms(r[1])));
    }
}
