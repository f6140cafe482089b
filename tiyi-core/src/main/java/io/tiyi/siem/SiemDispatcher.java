package io.tiyi.siem;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.events.AgentSecurityEvent;
import io.tiyi.events.Event;
import io.tiyi.internal.Backoff;
import io.tiyi.proxy.RuntimeConfig.SiemConfig;
import io.tiyi.proxy.RuntimeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards events to the SIEM, best-effort, as the production guide promises: a bounded queue
 * that request threads only ever {@link #offer} to (full means dropped and counted, never
 * waited for), and one sender thread that owns a single cached connection, reconnecting after an
 * error with a growing pause. Delivery guarantees, replay and receiver health belong to the SIEM
 * pipeline, not here.
 *
 * <p>The configuration is swapped whole by {@link #configure}; the sender notices at its next
 * message and reconnects when the destination or format changed.
 */
public final class SiemDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiemDispatcher.class);
    /** Events waiting to be sent; beyond it they are dropped. */
    public static final int DEFAULT_QUEUE = 10_000;
    static final long FIRST_BACKOFF_MS = 200;
    static final long MAX_BACKOFF_MS = 5_000;

    /** Why an event was not sent. */
    public enum Drop {
        /** The queue was full: the receiver is slow or down, or events come faster than it takes them. */
        QUEUE_FULL,
        /** Writing it failed and the connection made again failed too. */
        SEND_ERROR,
        /** Forwarding was switched off while it waited. */
        DISABLED;

        String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What {@code tiyi siem test} reports.
     *
     * @param written true when the message was written to the socket
     * @param address the destination
     * @param format the format
     * @param bytes bytes written, framing included
     * @param message the message sent (or that could not be)
     * @param error why it was not written, or null
     */
    public record TestResult(boolean written, String address, String format, int bytes, String message, String error) {}

    /**
     * Counters since start.
     *
     * @param sent messages written
     * @param dropped by reason
     * @param reconnects connections made after the first, or attempted after a failure
     * @param queueDepth events waiting now
     * @param connected whether a connection is open now
     * @param lastError the last connection or send error, or null
     */
    public record Stats(long sent, Map<Drop, Long> dropped, long reconnects, int queueDepth, boolean connected, String lastError) {}

    private record Item(Event event, CompletableFuture<TestResult> test) {}

    private final Origin origin;
    private final BlockingQueue<Item> queue;
    private final Counter sent;
    private final Counter truncated;
    private final Counter reconnects;
    private final Map<Drop, Counter> dropped = new EnumMap<>(Drop.class);
    private final Thread sender;
    private final Object wake = new Object();
    private volatile Active active = new Active(SiemConfig.disabled());
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile String lastError;

    /** A configuration with what the sender derives from it once. */
    private static final class Active {
        final SiemConfig config;
        final SiemAddress address;
        final SiemFormat format;
        final Severity floor;

        Active(SiemConfig c) {
            this.config = c;
            this.address = c.address().isEmpty() ? null : SiemAddress.parse(c.address(), "siem.address");
            this.format = SiemFormat.named(c.format());
            this.floor = Severity.fromWire(c.minSeverity());
        }

        boolean on() {
            return config.enabled() && address != null;
        }
    }

    /**
     * @param origin the sender named in every message
     * @param metrics where {@code tiyi.siem.*} metrics go
     * @param capacity the queue's size
     */
    public SiemDispatcher(Origin origin, MetricRegistry metrics, int capacity) {
        this.origin = origin;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sent = metrics.counter("tiyi.siem.sent");
        this.truncated = metrics.counter("tiyi.siem.truncated");
        this.reconnects = metrics.counter("tiyi.siem.reconnects");
        for (Drop d : Drop.values()) {
            dropped.put(d, metrics.counter("tiyi.siem.dropped." + d.metricName()));
        }
        metrics.gauge("tiyi.siem.queue_depth", () -> queue::size);
        metrics.gauge("tiyi.siem.connected", () -> () -> connected ? 1 : 0);
        this.sender = new Thread(this::run, "tiyi-siem-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** For a separate agent: forwarding follows the {@code siem.*} settings of each bundle it applies. */
    public void applied(RuntimeConfig cfg) {
        configure(cfg.siem());
    }

    /** Swaps the configuration in; the sender reconnects if the destination or format changed. */
    public synchronized void configure(SiemConfig config) {
        SiemConfig previous = active.config;
        if (config.equals(previous)) {
            return;
        }
        active = new Active(config);
        if (config.enabled() && config.address().isEmpty()) {
            LOG.warn("siem: siem.enabled is true but siem.address is empty; nothing is forwarded until it is set");
        } else if (config.active() && (!previous.active() || !config.address().equals(previous.address()) || !config.format().equals(
                previous.format()))) {
            LOG.info("siem: forwarding to {} as {}", config.address(), config.format());
        } else if (!config.active() && previous.active()) {
            LOG.info("siem: forwarding off");
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** The configuration in force. */
    public SiemConfig config() {
        return active.config;
    }

    /**
     * Queues an event if the configuration forwards it; never blocks. Returns false when it is
     * filtered out or dropped because the queue is full (counted). Security events that an agent
     * shipped to this control plane ({@link AgentSecurityEvent}) are never forwarded: the agent
     * forwarded them to the SIEM itself, and a second copy would count every attack twice. Nor
     * are agents' request counts ({@link io.tiyi.events.TrafficEvent}): the agent's SIEM has its
     * access events themselves.
     */
    public boolean offer(Event e) {
        if (e instanceof AgentSecurityEvent || e instanceof io.tiyi.events.TrafficEvent) {
            return false;
        }
        Active a = active;
        if (!a.on() || !forwards(a, e)) {
            return false;
        }
        if (!queue.offer(new Item(e, null))) {
            dropped.get(Drop.QUEUE_FULL).inc();
            return false;
        }
        return true;
    }

    private static boolean forwards(Active a, Event e) {
        switch (e.type()) {
            case "audit" -> {
                if (!a.config.includeAudit()) {
                    return false;
                }
            }
            case "access" -> {
                if (!a.config.includeAccess()) {
                    return false;
                }
                double rate = a.config.accessSampleRate();
                if (rate < 1 && ThreadLocalRandom.current().nextDouble() >= rate) {
                    return false;
                }
            }
            default -> {
            }
        }
        return Severity.of(e).atLeast(a.floor);
    }

    /**
     * Sends one test event through the configuration in force, ahead of no one (it waits its turn
     * in the queue), and reports whether it was written to the socket. The connection is tried at
     * once even while reconnects are being paced.
     */
    public TestResult test(TestEvent e, Duration timeout) {
        Active a = active;
        String address = a.config.address();
        if (!a.config.enabled()) {
            return new TestResult(false, address, a.config.format(), 0, "", "SIEM forwarding is off: set siem.enabled to true");
        }
        if (a.address == null) {
            return new TestResult(false, address, a.config.format(), 0, "", "siem.address is empty: set it to tcp://host:port, udp://host:port"
                    + " or unixgram:///path");
        }
        CompletableFuture<TestResult> f = new CompletableFuture<>();
        if (!queue.offer(new Item(e, f))) {
            return new TestResult(false, address, a.config.format(), 0, "", "the SIEM queue is full (" + queue.size()
                    + " events waiting): the receiver is not keeping up or is down");
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException ex) {
            return new TestResult(false, address, a.config.format(), 0, "", "not written within " + timeout.toSeconds() + " s ("
                    + queue.size() + " events still queued)");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new TestResult(false, address, a.config.format(), 0, "", "interrupted");
        } catch (java.util.concurrent.ExecutionException ex) {
            return new TestResult(false, address, a.config.format(), 0, "", ex.getCause().toString());
        }
    }

    public Stats stats() {
        Map<Drop, Long> d = new EnumMap<>(Drop.class);
        dropped.forEach((k, v) -> d.put(k, v.getCount()));
        return new Stats(sent.getCount(), d, reconnects.getCount(), queue.size(), connected, lastError);
    }

    // ---- the sender thread: everything below runs on it alone ----

    private Transport transport;
    private Active transportFor;
    private final Backoff backoff = Backoff.exponential(Duration.ofMillis(FIRST_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));
    private long nextAttempt;
    private long connectedAt;

    private void run() {
        while (!closed) {
            Item item;
            try {
                item = queue.poll(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            Active a = active;
            if (transportFor != a && transport != null && (transportFor.address == null || !transportFor.address.equals(a.address))) {
                disconnect();
            }
            transportFor = a;
            if (item == null) {
                if (!a.on()) {
                    disconnect();
                }
                continue;
            }
            if (!a.on()) {
                finish(item, null, 0, "SIEM forwarding was switched off", Drop.DISABLED);
                continue;
            }
            try {
                deliver(a, item);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.error("siem: cannot forward a {} event: {}; it was dropped", item.event.type(), e.toString(), e);
                finish(item, null, 0, e.toString(), Drop.SEND_ERROR);
            }
        }
        disconnect();
        Item left;
        while ((left = queue.poll()) != null) {
            if (left.test != null) {
                left.test.complete(new TestResult(false, active.config.address(), active.config.format(), 0, "", "the node is stopping"));
            }
        }
    }

    private void deliver(Active a, Item item) throws InterruptedException {
        byte[] message = encode(a, item.event);
        String text = new String(message, StandardCharsets.UTF_8);
        boolean retried = false;
        while (!closed) {
            if (transport == null || !transport.usable()) {
                if (transport != null) {
                    disconnect();
                    reconnects.inc();
                    // The receiver closed the connection: pace the next one, or a receiver that accepts and closes at once
                    // would get a connection per event.
                    lastError = "the receiver at " + a.config.address() + " closed the connection";
                    if (System.currentTimeMillis() - connectedAt < MAX_BACKOFF_MS) {
                        scheduleBackoff();
                    }
                }
                if (item.test == null) {
                    awaitBackoff();
                    if (active != a) {
                        // Reconfigured while waiting: send it under the new configuration.
                        Active now = active;
                        if (!now.on()) {
                            finish(item, text, 0, "SIEM forwarding was switched off", Drop.DISABLED);
                            return;
                        }
                        a = now;
                        transportFor = now;
                        message = encode(now, item.event);
                        text = new String(message, StandardCharsets.UTF_8);
                    }
                }
                if (!connect(a)) {
                    if (item.test != null) {
                        finish(item, text, 0, lastError, null);
                        return;
                    }
                    continue;
                }
            }
            byte[] out = message;
            if (out.length > transport.maxMessageBytes()) {
                out = Utf8.cut(out, transport.maxMessageBytes());
                truncated.inc();
            }
            try {
                int n = transport.send(out);
                sent.inc();
                if (System.currentTimeMillis() - connectedAt >= MAX_BACKOFF_MS) {
                    // Reset only for a connection that has lasted: one that dies at once keeps the pause growing.
                    backoff.succeeded();
                }
                finish(item, text, n, null, null);
                return;
            } catch (IOException e) {
                lastError = "sending to " + a.config.address() + " failed: " + describe(e);
                disconnect();
                reconnects.inc();
                if (retried) {
                    // Written twice and failed twice: the receiver takes connections but not data.
                    finish(item, text, 0, lastError, Drop.SEND_ERROR);
                    scheduleBackoff();
                    return;
                }
                retried = true;
                LOG.warn("siem: {}; reconnecting", lastError);
            }
        }
        finish(item, text, 0, "the node is stopping", Drop.DISABLED);
    }

    private byte[] encode(Active a, Event e) {
        return a.format.format(e, origin).getBytes(StandardCharsets.UTF_8);
    }

    private boolean connect(Active a) {
        Transport t = Transport.of(a.address);
        try {
            t.connect();
        } catch (IOException | RuntimeException e) {
            t.close();
            String err = "cannot connect to " + a.config.address() + ": " + describe(e);
            if (!err.equals(lastError) || !backoff.backingOff()) {
                LOG.warn("siem: {}; events queue (up to {}) and are dropped beyond that; retrying", err, queue.remainingCapacity() + queue.size());
            }
            lastError = err;
            scheduleBackoff();
            return false;
        }
        transport = t;
        connected = true;
        connectedAt = System.currentTimeMillis();
        if (backoff.backingOff()) {
            LOG.info("siem: connected to {} again", a.config.address());
        }
        return true;
    }

    private void scheduleBackoff() {
        nextAttempt = System.currentTimeMillis() + backoff.failed();
    }

    private void awaitBackoff() throws InterruptedException {
        Active a = active;
        synchronized (wake) {
            long wait;
            while (!closed && active == a && (wait = nextAttempt - System.currentTimeMillis()) > 0) {
                wake.wait(wait);
            }
        }
    }

    private void disconnect() {
        if (transport != null) {
            transport.close();
            transport = null;
        }
        connected = false;
    }

    private void finish(Item item, String text, int bytes, String error, Drop drop) {
        if (drop != null) {
            dropped.get(drop).inc();
        }
        if (item.test != null) {
            Active a = active;
            item.test.complete(new TestResult(error == null, a.config.address(), a.config.format(), bytes, text == null ? "" : text, error));
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        sender.interrupt();
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
