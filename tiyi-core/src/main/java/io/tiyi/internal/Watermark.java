package io.tiyi.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A position (a mutation seq, a configuration version) that callers wait for with a future
 * instead of polling: {@link #reach} completes the moment {@link #set} moves the position to or
 * past the target. A waiter that gives up (a timeout, a cancel) is forgotten.
 */
public final class Watermark {
    private final TreeMap<Long, List<CompletableFuture<Long>>> waiting = new TreeMap<>();
    private volatile long value;

    /** A position that starts at {@code initial}. */
    public Watermark(long initial) {
        this.value = initial;
    }

    /** The position now. */
    public long get() {
        return value;
    }

    /** Moves the position to {@code to} and completes every waiter it reaches. */
    public void set(long to) {
        List<CompletableFuture<Long>> ready = new ArrayList<>();
        synchronized (this) {
            value = to;
            var reached = waiting.headMap(to, true);
            reached.values().forEach(ready::addAll);
            reached.clear();
        }
        // Outside the lock: a waiter's continuation may run here.
        ready.forEach(f -> f.complete(to));
    }

    /** Completes with the position once it is at least {@code target}; at once when it is already. */
    public CompletableFuture<Long> reach(long target) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        synchronized (this) {
            long now = value;
            if (now >= target) {
                return CompletableFuture.completedFuture(now);
            }
            waiting.computeIfAbsent(target, k -> new ArrayList<>()).add(f);
        }
        f.whenComplete((v, e) -> {
            if (e != null) {
                forget(target, f);
            }
        });
        return f;
    }

    private synchronized void forget(long target, CompletableFuture<Long> f) {
        List<CompletableFuture<Long>> l = waiting.get(target);
        if (l != null && l.remove(f) && l.isEmpty()) {
            waiting.remove(target);
        }
    }
}
