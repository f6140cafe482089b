package io.tiyi.agent;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.client.TiyiApiException;
import io.tiyi.events.AccessEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import io.tiyi.events.ShippedSecurityEvents;
import io.tiyi.events.TrafficEvent;
import io.tiyi.internal.Backoff;
import io.tiyi.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a separate agent's security events, and its requests per site and minute, to the
 * control plane it follows ({@code EventsService/Ingest}), so that the console's explorer and
 * overview count its blocks and its requests.
 *
 * <p>Request threads only {@link #offer} into a bounded queue: full means dropped and counted,
 * never waited for. One thread sends batches of up to {@value #BATCH} events (and under the
 * control plane's body limit), at the latest {@value #FLUSH_MS} ms after the first one came.
 * While the control plane cannot be reached the batch and the queue are kept and the send is
 * retried with backoff; a control plane too old to know the method is asked again only every
 * ten minutes, and said so once. Best effort, like the SIEM: every event stays in the agent's
 * own {@code logs/} and goes to the SIEM from the agent either way.
 *
 * <p>Access events are not shipped (one per request: too many); request threads count them
 * into a {@link TrafficCounter} instead. Each minute's counts go once the minute has been over
 * for {@value #GRACE_MS} ms (looked for every {@value #CLOSE_EVERY_MS} ms), in the same call as
 * the events ({@code traffic}), with the same retries. A control plane that knows the method
 * but not {@code traffic} takes the events alone, and the counts are dropped (counted) until it
 * is asked again ten minutes later.
 */
final class EventShipper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventShipper.class);
    /** Events waiting to be shipped; beyond it they are dropped. */
    public static final int QUEUE = 10_000;
    /** Events in one batch, at most. */
    public static final int BATCH = 500;
    /** How long the first event of a batch waits for others before the batch goes. */
    static final long FLUSH_MS = 2_000;
    /** Encoded bytes of one batch's events, at most: the control plane takes bodies of up to 1 MiB. */
    static final int BATCH_BYTES = 768 * 1024;
    static final long FIRST_BACKOFF_MS = 500;
    static final long MAX_BACKOFF_MS = 30_000;
    static final long OLDER_PAUSE_MS = 10 * 60_000;
    /** How long after a minute's end its counts wait for requests that completed in it but were counted late. */
    static final long GRACE_MS = 5_000;
    /** How often the shipping thread looks for closed minutes. */
    static final long CLOSE_EVERY_MS = 5_000;
    /**
     * Encoded bytes of one send's traffic entries, at most: with {@link #BATCH_BYTES} of events
     * the body stays under 1 MiB. Entries beyond wait for the next send.
     */
    static final int TRAFFIC_BYTES = 192 * 1024;

    /** Delivers one batch to the control plane; throws when it was not taken. */
    @FunctionalInterface
    public interface Sender {
        /**
         * @param batch security events, possibly none
         * @param traffic closed minutes' request counts, possibly none; never both empty
         */
        void send(List<SecurityEvent> batch, List<TrafficCounter.Minute> traffic);
    }

    private final BlockingQueue<SecurityEvent> queue;
    private final Sender sender;
    private final Supplier<String> controlPlane;
    private final long olderPauseMs;
    private final Counter shipped;
    private final Counter dropped;
    private final Counter refused;
    private final Counter retries;
    private final Counter trafficShipped;
    private final Counter trafficRefused;
    private final TrafficCounter traffic;
    private final AtomicBoolean closeAllMinutes = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;

    // ---- the shipping thread's own state ----
    private final List<SecurityEvent> batch = new ArrayList<>(BATCH);
    /** An event taken from the queue that did not fit the last batch: it starts the next one. */
    private SecurityEvent carry;
    private boolean olderAnnounced;
    private boolean failureAnnounced;
    private String lastRefusal;
    /** The minutes in the batch being sent. */
    private final List<TrafficCounter.Minute> minutes = new ArrayList<>();
    /** Closed minutes not in a batch yet: at most what the counter held open, {@link TrafficCounter#MAX_KEYS}. */
    private final ArrayDeque<TrafficCounter.Minute> closedMinutes = new ArrayDeque<>();
    private long nextClose;
    /** Until when the control plane followed does not know {@code traffic}; 0 while it does. */
    private long trafficPausedUntil;

    /**
     * @param sender delivers a batch to the control plane followed now
     * @param controlPlane that control plane's URL, for log lines
     * @param metrics where {@code tiyi.agent.events.*} and {@code tiyi.agent.traffic.*} go
     */
    public EventShipper(Sender sender, Supplier<String> controlPlane, MetricRegistry metrics) {
        this(sender, controlPlane, metrics, QUEUE, OLDER_PAUSE_MS);
    }

    EventShipper(Sender sender, Supplier<String> controlPlane, MetricRegistry metrics, int capacity, long olderPauseMs) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sender = sender;
        this.controlPlane = controlPlane;
        this.olderPauseMs = olderPauseMs;
        this.shipped = metrics.counter("tiyi.agent.events.shipped");
        this.dropped = metrics.counter("tiyi.agent.events.dropped");
        this.refused = metrics.counter("tiyi.agent.events.refused");
        this.retries = metrics.counter("tiyi.agent.events.retries");
        metrics.gauge("tiyi.agent.events.queued", () -> queue::size);
        this.trafficShipped = metrics.counter("tiyi.agent.traffic.shipped");
        this.trafficRefused = metrics.counter("tiyi.agent.traffic.refused");
        this.traffic = new TrafficCounter(metrics.counter("tiyi.agent.traffic.dropped"));
        metrics.gauge("tiyi.agent.traffic.open", () -> traffic::open);
        this.thread = new Thread(this::run, "tiyi-agent-event-shipper");
        thread.setDaemon(true);
    }

    /** Starts the shipping thread; events offered before wait in the queue. */
    public void start() {
        thread.start();
    }

    /**
     * Queues a security event without blocking (a full queue drops it, counted) and counts an
     * access event into its site's minute; other events are not shipped.
     */
    public void offer(Event e) {
        if (closed) {
            return;
        }
        if (e instanceof AccessEvent a) {
            traffic.count(a.site(), a.ts());
        } else if (e instanceof SecurityEvent s && !queue.offer(s)) {
            dropped.inc();
        }
    }

    /** Requests the control plane took counts of. */
    public long trafficShipped() {
        return trafficShipped.getCount();
    }

    /** Requests not counted because {@link TrafficCounter#MAX_KEYS} minutes were open. */
    public long trafficDropped() {
        return traffic.dropped();
    }

    /** Requests whose counts the control plane refused, or could not take (older); not sent again. */
    public long trafficRefused() {
        return trafficRefused.getCount();
    }

    /**
     * Has the shipping thread close every minute, the current one included, at its next turn:
     * for tests, which would otherwise wait for the minute to end. Requests later in the current
     * minute open it again and are shipped as one more entry.
     */
    void closeMinutesNow() {
        closeAllMinutes.set(true);
    }

    /** Events the control plane took. */
    public long shipped() {
        return shipped.getCount();
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.getCount();
    }

    /** Events in batches the control plane refused as invalid; not sent again. */
    public long refused() {
        return refused.getCount();
    }

    /** Sends that failed (unreachable, an error answer, an older control plane) and are tried again. */
    public long retries() {
        return retries.getCount();
    }

    /** Events waiting now, the batch being sent not counted. */
    public int queued() {
        return queue.size();
    }

    private void run() {
        Backoff backoff = Backoff.jittered(Duration.ofMillis(FIRST_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));
        while (!closed) {
            try {
                if (batch.isEmpty() && minutes.isEmpty()) {
                    fill();
                }
                takeMinutes();
                if (batch.isEmpty() && minutes.isEmpty()) {
                    continue;
                }
                sender.send(List.copyOf(batch), List.copyOf(minutes));
                shipped.inc(batch.size());
                trafficShipped.inc(requests(minutes));
                batch.clear();
                minutes.clear();
                if (olderAnnounced || failureAnnounced) {
                    LOG.info("agent: shipping security events to the control plane {} again ({} queued)", controlPlane.get(), queue.size());
                }
                olderAnnounced = false;
                failureAnnounced = false;
                backoff.succeeded();
            } catch (InterruptedException e) {
                return;
            } catch (TiyiApiException e) {
                if (closed) {
                    return;
                }
                try {
                    refusedBy(e, backoff);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                // Unreachable: the sync loop says so and moves to another control plane; this one just waits.
                retries.inc();
                LOG.debug("agent: security events and request counts not shipped to {}: {}; {} events queued, retrying in about {} ms",
                        controlPlane.get(), e.getMessage(), queue.size() + batch.size(), backoff.nextStepMs());
                try {
                    backoff.sleepAfterFailure();
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** What an error answer means for the batch, and how long to wait before the next one. */
    private void refusedBy(TiyiApiException e, Backoff backoff) throws InterruptedException {
        if ("unimplemented".equals(e.wireCode())) {
            if (!olderAnnounced) {
                LOG.warn("agent: control plane {} is older than this agent and does not take security events (EventsService/Ingest), so"
                        + " its console does not show this agent's blocks; upgrade the control plane (docs/upgrades.md); asking again every"
                        + " {} minutes, the events stay in this agent's logs/ and SIEM", controlPlane.get(), olderPauseMs / 60_000);
                olderAnnounced = true;
            }
            retries.inc();
            Thread.sleep(olderPauseMs);
            backoff.succeeded();
            return;
        }
        if (e.httpStatus() == 400 && !minutes.isEmpty() && e.getMessage().startsWith("unknown field 'traffic'")) {
            // Knows Ingest but not traffic: the events go again alone at once, counts wait for an upgrade.
            LOG.warn("agent: control plane {} is older than this agent and does not take request counts (EventsService/Ingest traffic),"
                    + " so its console's request counts leave this agent's out; upgrade the control plane (docs/upgrades.md); asking"
                    + " again in {} minutes", controlPlane.get(), olderPauseMs / 60_000);
            trafficRefused.inc(requests(minutes));
            minutes.clear();
            trafficPausedUntil = System.currentTimeMillis() + olderPauseMs;
            return;
        }
        if (e.httpStatus() == 400 || e.httpStatus() == 413) {
            // Sending it again would be refused again: it is dropped, and the next batch goes.
            refused.inc(batch.size());
            trafficRefused.inc(requests(minutes));
            if (!e.getMessage().equals(lastRefusal)) {
                LOG.warn("agent: control plane {} refused {} security events and {} request counts: {}; they are not shipped (they stay"
                        + " in this agent's logs/ and SIEM); if the control plane is older than this agent, upgrade it", controlPlane.get(),
                        batch.size(), minutes.size(), e.getMessage());
                lastRefusal = e.getMessage();
            }
            batch.clear();
            minutes.clear();
            return;
        }
        retries.inc();
        if (!failureAnnounced) {
            LOG.warn("agent: control plane {} did not take security events: {} ({}); {} queued, retrying with backoff", controlPlane.get(),
                    e.getMessage(), e.wireCode(), queue.size() + batch.size());
            failureAnnounced = true;
        }
        backoff.sleepAfterFailure();
    }

    /**
     * Takes events into the batch: waits for a first one, then until the batch is full, would
     * pass {@link #BATCH_BYTES}, or {@link #FLUSH_MS} have passed.
     */
    private void fill() throws InterruptedException {
        SecurityEvent first = carry != null ? carry : queue.poll(500, TimeUnit.MILLISECONDS);
        carry = null;
        if (first == null) {
            return;
        }
        // Clamped here rather than on the request thread that offered it.
        first = ShippedSecurityEvents.clamp(first);
        batch.add(first);
        long bytes = size(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLUSH_MS);
        while (batch.size() < BATCH) {
            long left = deadline - System.nanoTime();
            SecurityEvent e = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                return;
            }
            e = ShippedSecurityEvents.clamp(e);
            long size = size(e);
            if (bytes + size > BATCH_BYTES) {
                carry = e;
                return;
            }
            batch.add(e);
            bytes += size;
        }
    }

    /**
     * Takes closed minutes into the batch, up to {@link #TRAFFIC_BYTES}, unless the batch being
     * sent has some already. Minutes are closed only when none wait, so at most
     * {@link TrafficCounter#MAX_KEYS} wait here besides those the counter holds.
     */
    private void takeMinutes() {
        if (!minutes.isEmpty()) {
            return;
        }
        if (closedMinutes.isEmpty()) {
            long now = System.currentTimeMillis();
            boolean all = closeAllMinutes.getAndSet(false);
            if (!all && now < nextClose) {
                return;
            }
            nextClose = now + CLOSE_EVERY_MS;
            closedMinutes.addAll(traffic.close(all ? Long.MAX_VALUE : now - GRACE_MS));
            if (now < trafficPausedUntil) {
                trafficRefused.inc(requests(closedMinutes));
                closedMinutes.clear();
                return;
            }
        }
        long bytes = 0;
        while (!closedMinutes.isEmpty() && minutes.size() < TrafficEvent.MAX_BATCH) {
            long size = size(closedMinutes.peek());
            if (!minutes.isEmpty() && bytes + size > TRAFFIC_BYTES) {
                return;
            }
            minutes.add(closedMinutes.poll());
            bytes += size;
        }
    }

    private static long requests(Iterable<TrafficCounter.Minute> ms) {
        long n = 0;
        for (TrafficCounter.Minute m : ms) {
            n += m.requests();
        }
        return n;
    }

    private static long size(Object e) {
        // As the body carries it: the encoded entry and the comma after it.
        return Json.write(e).getBytes(StandardCharsets.UTF_8).length + 1L;
    }

    /** Stops the shipping thread; what is still queued or counted is not shipped (it is in the agent's log). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
