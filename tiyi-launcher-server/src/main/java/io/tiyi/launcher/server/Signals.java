package io.tiyi.launcher.server;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling. The JVM's own handling runs shutdown hooks and exits 143/130;
 * a daemon should instead drain, close its state and exit 0, so the launcher takes the signals
 * over and lets its main thread do an orderly stop. Shared by {@code tiyi server} and
 * {@code tiyi agent} (whose launcher depends on this module for it and for the log format).
 */
public final class Signals {
    private Signals() {}

    /** Calls {@code action} once on the first SIGTERM or SIGINT. */
    public static void onTerminate(Runnable action) {
        Runnable once = new Runnable() {
            private boolean done;

            @Override
            public synchronized void run() {
                if (!done) {
                    done = true;
                    action.run();
                }
            }
        };
        Signal.handle(new Signal("TERM"), s -> once.run());
        Signal.handle(new Signal("INT"), s -> once.run());
    }

    /** Lets {@code node} serve until {@code stop} opens (SIGTERM or SIGINT, see {@link #onTerminate}), then stops it cleanly. */
    public static void serveUntil(java.util.concurrent.CountDownLatch stop, io.tiyi.TiyiNode node) {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.close();
    }
}
