package io.tiyi.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Long polls without a waiting thread: a poll whose answer is not ready parks a future, which
 * {@link #wake()} completes once its readiness test passes, or a timer completes with the poll's
 * "nothing new" value. The readiness test runs under the same lock as {@link #wake()}, so a change
 * published just before a poll arrives is never missed: publish the new state, then wake.
 */
public final class LongPolls implements AutoCloseable {
    private final List<Waiter<?>> waiters = new ArrayList<>();
    private final ScheduledExecutorService timer;

    private record Waiter<T>(BooleanSupplier ready, Supplier<T> answer, T nothingNew, CompletableFuture<T> future) {
        void respond() {
            try {
                future.complete(answer.get());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }

        void giveUp() {
            future.complete(nothingNew);
        }
    }

    public LongPolls(String threadName) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A poll: answered at once when {@code ready} holds, else at the first {@link #wake()} after
     * which it holds, else with {@code nothingNew} after {@code timeout}.
     */
    public <T> CompletableFuture<T> poll(BooleanSupplier ready, Supplier<T> answer, T nothingNew, Duration timeout) {
        Waiter<T> w = new Waiter<>(ready, answer, nothingNew, new CompletableFuture<>());
        synchronized (waiters) {
            if (!ready.getAsBoolean()) {
                waiters.add(w);
                timer.schedule(() -> {
                    boolean mine;
                    synchronized (waiters) {
                        mine = waiters.remove(w);
                    }
                    if (mine) {
                        w.giveUp();
                    }
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                return w.future();
            }
        }
        w.respond();
        return w.future();
    }

    /** Answers every parked poll whose readiness test passes now. */
    public void wake() {
        List<Waiter<?>> ready = new ArrayList<>();
        synchronized (waiters) {
            waiters.removeIf(w -> {
                if (w.ready().getAsBoolean()) {
                    ready.add(w);
                    return true;
                }
                return false;
            });
        }
        ready.forEach(Waiter::respond);
    }

    /** How many polls are parked. */
    public int parked() {
        synchronized (waiters) {
            return waiters.size();
        }
    }

    /** Answers every parked poll with its "nothing new" value (so a server can drain) and stops the timer. */
    @Override
    public void close() {
        timer.shutdownNow();
        List<Waiter<?>> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        all.forEach(Waiter::giveUp);
    }
}
