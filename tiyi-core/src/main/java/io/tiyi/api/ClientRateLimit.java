package io.tiyi.api;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address for the calls anyone may make without a token: login,
 * refresh, logout, agent enrollment and the web UI's {@code /ui/auth/}. A client gets
 * {@link #DEFAULT_BURST} calls at once and {@link #DEFAULT_RATE} more every second; beyond that it
 * is answered 429 with the time to wait. The failed-login lockout per user and address
 * ({@code LoginThrottle}) still applies on top of this.
 *
 * <p>IPv6 clients are counted per /64, the smallest block a single site is usually given, so that
 * one host cannot step around its bucket by changing the low bits of its address. The table is
 * bounded: when it grows past {@link #MAX_CLIENTS}, buckets that have refilled (clients that have
 * been quiet) are dropped; a full bucket and a missing one mean the same.
 */
public final class ClientRateLimit {
    /** Calls per second a client may make on average. */
    public static final double DEFAULT_RATE = 10;
    /** Calls a client may make at once after being quiet. */
    public static final int DEFAULT_BURST = 20;
    /** Clients remembered before quiet ones are forgotten. */
    static final int MAX_CLIENTS = 10_000;

    /** The limit of the listener an exchange came in on; absent on a listener without one. */
    static final AttachmentKey<ClientRateLimit> KEY = AttachmentKey.create(ClientRateLimit.class);

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /** The defaults: {@value #DEFAULT_BURST} at once, {@code DEFAULT_RATE} per second after. */
    public ClientRateLimit() {
        this(DEFAULT_RATE, DEFAULT_BURST, System::nanoTime);
    }

    ClientRateLimit(double perSecond, int burst, LongSupplier nanos) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive, got " + perSecond + "/s burst " + burst);
        }
        this.ratePerNano = perSecond / 1e9;
        this.burst = burst;
        this.nanos = nanos;
    }

    /**
     * Takes one call from {@code client}'s bucket.
     *
     * @return 0 when the call may go ahead, else the milliseconds until it may
     */
    long take(String client) {
        long now = nanos.getAsLong();
        if (buckets.size() >= MAX_CLIENTS) {
            forgetQuiet(now);
        }
        Bucket b = buckets.computeIfAbsent(key(client), k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * ratePerNano);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / ratePerNano / 1e6));
        }
    }

    /**
     * Takes one call for the exchange's client, when its listener has a limit.
     *
     * @throws TiyiException {@code RESOURCE_EXHAUSTED} (429, with {@code Retry-After}) saying when to retry
     */
    static void admit(HttpServerExchange exchange, String what) {
        ClientRateLimit limit = exchange.getAttachment(KEY);
        if (limit == null) {
            return;
        }
        String client = RpcHandler.client(exchange);
        long waitMs = limit.take(client);
        if (waitMs > 0) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString((waitMs + 999) / 1000));
            throw new TiyiException(ErrorCode.RESOURCE_EXHAUSTED, "too many " + what + " calls from " + client + " (at most "
                    + limit.describe() + " without a token); retry in " + (waitMs < 1000 ? waitMs + " ms" : (waitMs + 999) / 1000 + " s"));
        }
    }

    /** {@code 10/s, bursts of 20}. */
    String describe() {
        double perSecond = ratePerNano * 1e9;
        String rate = perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
        return rate + "/s, bursts of " + (long) burst;
    }

    /** How many clients it remembers now. */
    int size() {
        return buckets.size();
    }

    private void forgetQuiet(long now) {
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().tokens + (now - e.getValue().at) * ratePerNano >= burst;
            }
        });
        if (buckets.size() >= MAX_CLIENTS) {
            // Every remembered client is busy: so many addresses are a spread-out flood, which a
            // per-address limit cannot stop anyway. Starting over keeps the memory bounded.
            buckets.clear();
        }
    }

    /** The address, or its /64 for IPv6. */
    static String key(String client) {
        if (client.indexOf(':') < 0) {
            return client;
        }
        try {
            byte[] a = java.net.InetAddress.getByName(client).getAddress();
            if (a.length != 16) {
                return client;
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
            }
            return s.append(":/64").toString();
        } catch (java.net.UnknownHostException e) {
            return client;
        }
    }
}
