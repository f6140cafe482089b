package io.tiyi.auth;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after too many failed logins for one user, or from one client
 * address, within a window, further attempts are refused with 429 until the oldest failure
 * leaves the window. Node-local and in memory by design: an attacker gains nothing from a
 * restart that an operator would not notice.
 */
final class LoginThrottle {
    static final long WINDOW_MS = 15 * 60_000L;
    static final int PER_USER = 5;
    static final int PER_CLIENT = 20;

    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Refuses the attempt when the user or the client is over its limit. */
    public void check(String user, String client) {
        long now = clock.millis();
        long userWait = wait("user:" + user, PER_USER, now);
        long clientWait = wait("client:" + client, PER_CLIENT, now);
        long w = Math.max(userWait, clientWait);
        if (w > 0) {
            String who = userWait >= clientWait ? "user '" + user + "'" : "client " + client;
            throw new TiyiException(ErrorCode.RESOURCE_EXHAUSTED,
                    "too many failed logins for " + who + "; retry in " + (w + 999) / 1000 + " s");
        }
    }

    public void failed(String user, String client) {
        long now = clock.millis();
        record("user:" + user, now);
        record("client:" + client, now);
    }

    public void succeeded(String user) {
        failures.remove("user:" + user);
    }

    private void record(String key, long now) {
        Deque<Long> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d, now);
            d.addLast(now);
        }
    }

    private long wait(String key, int limit, long now) {
        Deque<Long> d = failures.get(key);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            prune(d, now);
            if (d.size() < limit) {
                return 0;
            }
            return d.peekFirst() + WINDOW_MS - now;
        }
    }

    private static void prune(Deque<Long> d, long now) {
        while (!d.isEmpty() && d.peekFirst() <= now - WINDOW_MS) {
            d.pollFirst();
        }
    }
}
