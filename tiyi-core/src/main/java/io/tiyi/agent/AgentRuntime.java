package io.tiyi.agent;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.TiyiVersion;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedBundle.RefusedException;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.BundlesService;
import io.tiyi.client.rpc.EventsService;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.events.EventLog;
import io.tiyi.internal.Backoff;
import io.tiyi.internal.Json;
import io.tiyi.proxy.DataPlane;
import io.tiyi.proxy.OriginBypass;
import io.tiyi.proxy.RuntimeConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent: enrolls once, then long-polls the control plane for its bundles, checks each one
 * ({@link BundleGate}), applies it to the data plane (built completely, then swapped in) and
 * keeps it as the last good bundle. It reports its state on every change and every heartbeat.
 * When the control plane it follows cannot be reached or is no longer the primary, it keeps
 * serving what it has and looks for the read-write primary among every control-plane endpoint it
 * learned (from bundles and from poll and report answers, kept in {@code endpoints.json}) about
 * once a second, so it follows a promotion as soon as the new primary answers, whatever backoff it
 * built up. A refused bundle never moves what it polls for: only a bundle that verified and
 * applied does. After a restart it serves its last good bundle before it reaches anyone. Traffic
 * never waits for the control plane: the data plane reads only the applied configuration.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);
    static final long HEARTBEAT_MS = 10_000;
    static final long MAX_BACKOFF_MS = 30_000;
    static final long WATCH_MS = 25_000;
    /** The longest pause between two searches for the primary while none answers (jittered down to half of it). */
    static final long SEARCH_MS = 1_000;
    /** The pause before asking again after the same refused bundle came back (jittered down to half of it). */
    static final long REFUSAL_PAUSE_MS = 1_000;
    /** Endpoints kept at most: hints from answers beyond it push out the oldest. */
    static final int MAX_ENDPOINTS = 32;

    private static final com.fasterxml.jackson.core.type.TypeReference<List<JsonNode>> JSON_LIST =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};
    private final AgentFiles files;
    private final DataPlane dataPlane;
    private final MetricRegistry metrics;
    private final Timer applyTimer;
    private final long startedAt = System.currentTimeMillis();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object reportLock = new Object();
    private volatile AgentFiles.Identity identity;
    private volatile AgentFiles.Pin pin;
    /** The control plane it follows now (a logical URL; {@link #route} maps it to how this process reaches it). */
    private volatile String current;
    private volatile UnaryOperator<String> route = UnaryOperator.identity();
    private volatile long appliedEpoch;
    /** The applied version as one number, {@code epoch << 40 | seq}, for waiting on it (seq stays far below 2^40). */
    private final io.tiyi.internal.Watermark applied = new io.tiyi.internal.Watermark(0);
    private volatile long appliedSeq;
    /** The last refused bundle, as a hash of what was signed and the signature: the same one again is logged and counted once. */
    private volatile String refusedBundle;
    private volatile String lastRefusal;
    private volatile String health = "starting";
    private volatile boolean reachable;
    private volatile List<String> endpoints = List.of();
    private volatile Supplier<String> nodeApi;
    /** The newest audit checkpoint verified under the pin, as signed; null before the first. */
    private volatile SignedCheckpoint checkpoint;
    /** The last checkpoint refused, so that the same refusal is logged once, not on every poll. */
    private String refusedCheckpoint;
    private Thread sync;
    private Thread heartbeat;
    private final BinaryUpdater updater;
    /** Asks the control-plane nodes of one search side by side; its threads end when idle. */
    private final java.util.concurrent.ExecutorService search = new java.util.concurrent.ThreadPoolExecutor(0, PrimarySearch.MAX_ASKED,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "tiyi-agent-search");
                t.setDaemon(true);
                return t;
            });
    private EventShipper shipper;

    public AgentRuntime(AgentFiles files, DataPlane dataPlane, MetricRegistry metrics) {
        this.files = files;
        this.updater = new BinaryUpdater(files.dir().resolve("releases"), () -> client(current, 300), () -> pin.signingKey());
        this.dataPlane = dataPlane;
        this.metrics = metrics;
        this.applyTimer = metrics.timer("tiyi_agent_bundle_apply");
        metrics.gauge("tiyi_agent_bundle_epoch", () -> () -> appliedEpoch);
        metrics.gauge("tiyi_agent_bundle_seq", () -> () -> appliedSeq);
        metrics.gauge("tiyi_agent_control_plane_reachable", () -> () -> reachable ? 1 : 0);
    }

    /**
     * Makes sure the agent is enrolled: with an identity on disk nothing happens (a token given
     * anyway is not used, and said so); otherwise it enrolls with {@code token} at {@code apiUrl},
     * pinning the signing key the control plane presents.
     *
     * @throws TiyiException when there is no identity and no token, or the control plane refuses the token
     */
    public AgentFiles.Identity enroll(String apiUrl, String token) {
        return Enroller.enroll(files, route, apiUrl, token);
    }

    /**
     * For the agent embedded in a control-plane node: the node's own API, reported so that the
     * primary lists it among the control-plane endpoints of every bundle; null when the node no
     * longer serves as a control plane.
     */
    public void nodeApi(Supplier<String> api) {
        this.nodeApi = api;
    }

    /**
     * Ships the security events offered to {@code log}, and the requests per site and minute its
     * access events count, to the control plane this agent follows ({@code EventsService/Ingest}),
     * so that its console counts them; they go wherever the bundle poll goes, failover included.
     * Only for a separate agent: the one embedded in a control-plane node serves requests into
     * that node's own log already, and shipping would count each twice. Call before {@link #start}.
     */
    public void shipSecurityEvents(EventLog log) {
        if (shipper != null) {
            throw new IllegalStateException("security events are shipped already");
        }
        // traffic only when there is some: a control plane older than it still takes the events.
        shipper = new EventShipper((batch, traffic) -> client(current, 15).call(EventsService.INGEST,
                new EventsService.IngestRequest(Json.MAPPER.convertValue(batch, JSON_LIST),
                        traffic.isEmpty() ? null : Json.MAPPER.convertValue(traffic, JSON_LIST))), () -> current, metrics);
        log.forwardTo(shipper::offer);
    }

    /** The shipper of this agent's security events; empty for the agent embedded in a control-plane node. */
    public Optional<EventShipper> eventShipper() {
        return Optional.ofNullable(shipper);
    }

    /**
     * How this process reaches a control-plane URL: identity by default; a test harness maps each
     * URL to a link it can cut, to isolate this agent from every control-plane node at once.
     */
    public void route(UnaryOperator<String> r) {
        this.route = Objects.requireNonNull(r);
    }

    private TiyiClient client(String url, int timeoutSeconds) {
        return TiyiClient.of(route.apply(url), identity.credential(), Duration.ofSeconds(timeoutSeconds));
    }

    /**
     * How this process restarts into a binary a rollout installed: the {@code tiyi agent} launcher
     * stops and exits with {@link BinaryUpdater#EXIT_RESTART}. Without it, rollout commands fail.
     */
    public void onRestart(Runnable restart) {
        updater.onRestart(restart);
    }

    /** Starts serving: the last good bundle first (if any), then the sync and heartbeat loops. */
    public void start(AgentFiles.Identity id) {
        running.set(true);
        identity = id;
        updater.start();
        pin = files.pin().orElseThrow();
        current = id.api();
        try {
            endpoints = files.endpoints();
        } catch (RuntimeException e) {
            LOG.warn("agent: {}; it is only a list of control-plane endpoints, relearned from the next answer", e.getMessage());
        }
        // An --api given at start replaces the one followed; the list keeps both.
        learn(List.of(id.api()));
        checkpoint = files.checkpoint().orElse(null);
        files.lastBundle().ifPresent(b -> {
            try {
                apply(b, "last good bundle from " + files.dir().resolve(AgentFiles.BUNDLE));
            } catch (RuntimeException e) {
                LOG.error("agent: cannot serve the last good bundle: {}; waiting for the control plane", e.getMessage());
            }
        });
        if (appliedEpoch == 0) {
            // First start: fetch the first bundle now, so the data plane opens the listeners it names.
            try {
                JsonNode r = client(current, 30).call(BundlesService.WATCH, new BundlesService.WatchRequest(0, 0, 0L));
                // The checkpoint first: receiving a bundle reports, and the report carries the checkpoint held.
                receiveCheckpoint(r.get("checkpoint"));
                if (r.get("changed").asBoolean()) {
                    receive(Json.MAPPER.treeToValue(r.get("bundle"), SignedBundle.class));
                }
            } catch (RuntimeException | IOException e) {
                LOG.warn("agent: no bundle from {} yet ({}); serving an empty configuration until one arrives", id.api(), e.getMessage());
            }
        }
        if (appliedEpoch == 0) {
            dataPlane.apply(RuntimeConfig.empty(new RuntimeConfig.Listeners("127.0.0.1:8000", "127.0.0.1:8443")));
        }
        sync = new Thread(this::syncLoop, "tiyi-agent-sync");
        sync.setDaemon(true);
        sync.start();
        heartbeat = new Thread(this::heartbeatLoop, "tiyi-agent-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
        if (shipper != null) {
            shipper.start();
        }
    }

    private void syncLoop() {
        Backoff backoff = Backoff.jittered(Duration.ofMillis(500), Duration.ofMillis(MAX_BACKOFF_MS));
        boolean announcedOutage = false;
        while (running.get()) {
            String url = current;
            try {
                // Only what verified and applied moves the poll: a refused bundle never hides the versions after it.
                JsonNode r = client(url, 60).call(BundlesService.WATCH, new BundlesService.WatchRequest(appliedEpoch, appliedSeq,
                        (long) WATCH_MS));
                if (!reachable || announcedOutage) {
                    LOG.info("agent: control plane {} reachable", url);
                    announcedOutage = false;
                }
                reachable = true;
                backoff.succeeded();
                learn(r.get("endpoints"));
                receiveCheckpoint(r.get("checkpoint"));
                if (r.get("changed").asBoolean()) {
                    SignedBundle b = Json.MAPPER.treeToValue(r.get("bundle"), SignedBundle.class);
                    if (receive(b)) {
                        pause(REFUSAL_PAUSE_MS);
                    }
                }
            } catch (TiyiApiException e) {
                if (!running.get()) {
                    return;
                }
                if (e.httpStatus() == 409 || e.httpStatus() == 503) {
                    if (!announcedOutage) {
                        LOG.info("agent: {} is not the primary ({}); looking for the primary among {}", url, e.getMessage(), endpoints());
                        announcedOutage = true;
                    }
                    searchForPrimary();
                } else {
                    LOG.warn("agent: control plane {} refused the bundle poll: {} ({}); serving bundle {}.{}, retrying in {} ms", url,
                            e.getMessage(), e.wireCode(), appliedEpoch, appliedSeq, backoff.nextStepMs());
                    health = e.httpStatus() == 401 ? "credential refused: " + e.getMessage() : health;
                    sleep(backoff);
                }
            } catch (RuntimeException | IOException e) {
                if (!running.get()) {
                    // close() interrupted the poll: a shutdown, not an outage.
                    return;
                }
                reachable = false;
                if (!announcedOutage) {
                    LOG.warn("agent: control plane {} unreachable ({}); serving bundle {}.{} and looking for the primary among {}", url,
                            e.getMessage(), appliedEpoch, appliedSeq, endpoints());
                    announcedOutage = true;
                }
                searchForPrimary();
            }
        }
    }

    /**
     * Asks every known endpoint who the read-write primary is and follows the one with the highest
     * epoch (never below the pinned one). Returns at once when it moved to another node, else
     * after a short jittered pause: the search runs at its own bounded cadence, not at the poll's backoff, so
     * an agent follows a new primary within about a second of it answering.
     */
    private void searchForPrimary() {
        long floor = Math.max(pin.highestEpoch(), appliedEpoch);
        Optional<PrimarySearch.Found> found;
        try {
            found = PrimarySearch.run(endpoints(),
                    u -> client(u, 2).call(io.tiyi.client.rpc.ReplicationService.STATUS, io.tiyi.client.rpc.Empty.INSTANCE), floor,
                    u -> learn(List.of(u)), search);
        } catch (RuntimeException e) {
            // Only when closing (the search pool is shut down): the loop ends with the next check.
            found = Optional.empty();
        }
        if (found.isPresent() && !found.get().url().equals(current)) {
            LOG.warn("agent: {} is the read-write primary at epoch {}; following it", found.get().url(), found.get().epoch());
            moveTo(found.get().url());
            return;
        }
        // None answered, or the one followed says it is the primary but cannot serve yet (no configuration compiled).
        pause(SEARCH_MS);
    }

    /** Sleeps between half of {@code maxMs} and {@code maxMs}, so that a fleet does not ask in step. */
    private void pause(long maxMs) {
        try {
            Thread.sleep(maxMs / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(maxMs / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Adds the endpoints an answer or a bundle named to those this agent knows, and keeps them for the next start. */
    private void learn(JsonNode urls) {
        if (urls == null || !urls.isArray()) {
            return;
        }
        List<String> named = new ArrayList<>();
        urls.forEach(u -> {
            if (u.isTextual()) {
                named.add(u.textValue());
            }
        });
        learn(named);
    }

    private synchronized void learn(List<String> named) {
        LinkedHashSet<String> all = new LinkedHashSet<>(endpoints);
        boolean added = false;
        for (String u : named) {
            if (u != null && PrimarySearch.isUrl(u) && all.add(u)) {
                added = true;
            }
        }
        if (!added) {
            return;
        }
        List<String> kept = new ArrayList<>(all);
        kept = kept.subList(Math.max(0, kept.size() - MAX_ENDPOINTS), kept.size());
        List<String> now = List.copyOf(kept);
        try {
            files.endpoints(now);
        } catch (RuntimeException e) {
            LOG.warn("agent: {}; the endpoints are kept in memory only until the next change", e.getMessage());
        }
        endpoints = now;
    }

    /** Every control-plane endpoint this agent knows: the one it follows, then those bundles and answers named. */
    private List<String> endpoints() {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        all.add(current == null ? identity.api() : current);
        all.add(identity.api());
        all.addAll(endpoints);
        return new ArrayList<>(all);
    }

    /**
     * Follows the control plane at {@code url} from now on (a promotion moved the primary there)
     * and remembers it across restarts.
     */
    public void moveTo(String url) {
        AgentFiles.Identity id = identity;
        if (id == null || url.equals(id.api())) {
            current = url;
            return;
        }
        learn(List.of(id.api(), url));
        AgentFiles.Identity moved = new AgentFiles.Identity(url, id.agentId(), id.tag(), id.credential(), id.x25519Private(),
                id.ed25519Private());
        files.identity(moved);
        identity = moved;
        current = url;
        LOG.info("agent: now following the control plane at {}", url);
    }

    private void sleep(Backoff backoff) {
        try {
            backoff.sleepAfterFailure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void heartbeatLoop() {
        // The first report at once: the control plane learns of a restart, and a new binary its confirmation, without waiting.
        report();
        while (running.get()) {
            try {
                Thread.sleep(HEARTBEAT_MS);
            } catch (InterruptedException e) {
                return;
            }
            report();
        }
    }

    /**
     * Checks and applies a bundle received from the control plane; refusals are logged, counted
     * and reported once per distinct bundle.
     *
     * @return true when it is the same bundle refused last time: the caller pauses before asking again
     */
    boolean receive(SignedBundle b) {
        if (b == null) {
            LOG.warn("agent: the control plane at {} said the bundle changed but sent none; asking again", current);
            return false;
        }
        try {
            apply(b, "control plane " + current);
        } catch (RefusedBundle e) {
            if (!e.repeated) {
                report();
            }
            return true;
        }
        report();
        return false;
    }

    /**
     * Keeps an audit checkpoint that came with a poll answer when it verifies under the pin and is
     * newer than the held one ({@link CheckpointGate}). One that says the chain went backwards is
     * logged as an ERROR, once per checkpoint; the held one stays.
     */
    synchronized void receiveCheckpoint(JsonNode sent) {
        if (sent == null || sent.isNull()) {
            return;
        }
        SignedCheckpoint c;
        try {
            c = Json.MAPPER.treeToValue(sent, SignedCheckpoint.class);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("agent: the audit checkpoint from {} does not decode ({}); keeping the held one", current, e.getMessage());
            return;
        }
        SignedCheckpoint held = checkpoint;
        CheckpointGate.Decision d = CheckpointGate.check(c, pin.signingKey(),
                held == null ? Optional.empty() : held.open(pin.signingKey()));
        switch (d.verdict()) {
            case KEEP, REBASED -> {
                if (d.verdict() == CheckpointGate.Verdict.REBASED) {
                    LOG.warn("agent: {}; keeping it. If no forced promotion happened, run tiyi audit verify-chain --witness on the primary",
                            d.reason());
                }
                files.checkpoint(c);
                checkpoint = c;
                refusedCheckpoint = null;
            }
            case SAME -> {
                // Nothing new.
            }
            case UNTRUSTED, BACKWARDS -> {
                String key = java.util.Base64.getEncoder().encodeToString(c.signature() == null ? new byte[0] : c.signature());
                if (!key.equals(refusedCheckpoint)) {
                    refusedCheckpoint = key;
                    if (d.verdict() == CheckpointGate.Verdict.BACKWARDS) {
                        metrics.counter("tiyi_agent_checkpoints_refused.backwards").inc();
                        LOG.error("agent: refused {} from {}; keeping the held checkpoint as evidence: run tiyi audit verify-chain"
                                + " --witness on the primary and restore its state.db from a backup if it fails", d.reason(), current);
                    } else {
                        metrics.counter("tiyi_agent_checkpoints_refused.untrusted").inc();
                        LOG.warn("agent: refused {} from {}; keeping the held checkpoint", d.reason(), current);
                    }
                }
            }
            default -> throw new IllegalStateException(d.verdict().name());
        }
    }

    /** The newest audit checkpoint this agent verified and keeps, as signed; empty before the first. */
    public Optional<SignedCheckpoint> heldCheckpoint() {
        return Optional.ofNullable(checkpoint);
    }

    /** A bundle was refused or could not be applied; thrown out of {@link #apply}. */
    private static final class RefusedBundle extends RuntimeException {
        /** Whether it is the same bundle as the last one refused (said already). */
        final boolean repeated;

        RefusedBundle(String message, boolean repeated) {
            super(message);
            this.repeated = repeated;
        }
    }

    /** A bundle's identity for telling refusals apart: its whole content, so that a forged copy never shadows the genuine one. */
    private static String contentKey(SignedBundle signed) {
        byte[] p = signed.payload() == null ? new byte[0] : signed.payload();
        byte[] sig = signed.signature() == null ? new byte[0] : signed.signature();
        byte[] all = new byte[p.length + sig.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(sig, 0, all, p.length, sig.length);
        return io.tiyi.crypto.Sha256.hex(all);
    }

    private synchronized void apply(SignedBundle signed, String from) {
        String key = contentKey(signed);
        boolean repeated = key.equals(refusedBundle);
        Bundle b;
        try {
            b = BundleGate.check(signed, pin, identity.agentId(), appliedEpoch, appliedSeq);
        } catch (RefusedException e) {
            if (!repeated) {
                metrics.counter("tiyi_agent_bundles_refused." + e.reason().wireName()).inc();
                lastRefusal = e.reason().wireName() + ": " + e.getMessage();
                LOG.warn("agent: refused a bundle from {}: {}; still serving {}.{} and asking for what follows it", from, e.getMessage(),
                        appliedEpoch, appliedSeq);
            }
            refusedBundle = key;
            throw new RefusedBundle(e.getMessage(), repeated);
        }
        if (b.epoch() == appliedEpoch && b.seq() == appliedSeq) {
            return;
        }
        Timer.Context t = applyTimer.time();
        try {
            RuntimeConfig cfg = LocalConfig.of(b, identity, files, this::fetchRules);
            dataPlane.apply(cfg);
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            health = "bundle " + b.version() + " not applied: " + e.getMessage();
            if (!repeated) {
                LOG.error("agent: cannot apply bundle {} from {}: {}; still serving {}.{} and trying again", b.version(), from,
                        e.getMessage(), appliedEpoch, appliedSeq);
                metrics.counter("tiyi_agent_bundles_failed").inc();
            }
            refusedBundle = key;
            throw new RefusedBundle(e.getMessage(), repeated);
        } finally {
            t.stop();
        }
        appliedEpoch = b.epoch();
        appliedSeq = b.seq();
        applied.set(b.epoch() << 40 | b.seq());
        learn(b.endpoints());
        health = "ok";
        lastRefusal = null;
        refusedBundle = null;
        if (b.epoch() > pin.highestEpoch()) {
            pin = pin.withEpoch(b.epoch());
            files.pin(pin);
        }
        files.lastBundle(signed);
        LOG.info("agent: applied bundle {} from {}", b.version(), from);
        if (running.get()) {
            updater.run(b.commands());
        }
    }

    /** The rule archive with {@code hash}, from the control plane this agent follows. */
    private byte[] fetchRules(String hash) {
        JsonNode r = client(current, 120).call(BundlesService.GET_RULES, new BundlesService.RulesRequest(hash));
        return Base64.getDecoder().decode(r.get("archive").asText());
    }

    /**
     * Sends a state report to every control-plane endpoint it knows (failures are left to the next
     * heartbeat). A node that answers as a read-write primary at a higher epoch than this agent
     * has seen becomes the one it follows: that is how agents find a primary promoted while the
     * old one still answers, and how an old primary learns (from these reports) that it was replaced.
     */
    public void report() {
        AgentFiles.Identity id = identity;
        if (id == null || !running.get()) {
            return;
        }
        synchronized (reportLock) {
            OriginBypass.Seen bypass = dataPlane.drainOriginBypass();
            AgentReport r = report(bypass);
            boolean primaryTookIt = false;
            for (String url : endpoints()) {
                try {
                    AgentsService.ReportResponse answer = client(url, 3).call(AgentsService.REPORT, r);
                    if (answer.endpoints() != null) {
                        learn(answer.endpoints());
                    }
                    long epoch = answer.epoch();
                    primaryTookIt |= answer.primary();
                    if (answer.primary() && epoch > Math.max(pin.highestEpoch(), appliedEpoch) && !url.equals(current)) {
                        LOG.warn("agent: {} is the primary at epoch {}, higher than {} seen so far; following it", url, epoch,
                                Math.max(pin.highestEpoch(), appliedEpoch));
                        moveTo(url);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("agent: report to {} not delivered: {}", url, e.getMessage());
                }
            }
            if (!primaryTookIt && bypass.count() > 0) {
                // No primary counted them: they go with the next report.
                dataPlane.restoreOriginBypass(bypass);
            }
            if (primaryTookIt && appliedEpoch > 0 && updater.awaitingConfirmation()) {
                // A new binary is healthy once it serves a bundle and a primary has heard from it: then it says so at once.
                updater.confirm();
                report();
            }
        }
    }

    /** What this agent would report now (without the origin bypass attempts, which a report takes). */
    public AgentReport currentReport() {
        return report(new OriginBypass.Seen(0, null));
    }

    private AgentReport report(OriginBypass.Seen bypass) {
        String address = dataPlane.httpAddress().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse(null);
        String notReady = notReadyReason();
        return new AgentReport(pin == null ? 0 : pin.highestEpoch(), appliedEpoch, appliedSeq,
                notReady == null ? health : "not ready: " + notReady, TiyiVersion.version(),
                System.getProperty("os.name").toLowerCase(Locale.ROOT), arch(), (System.currentTimeMillis() - startedAt) / 1000, address,
                lastRefusal, nodeApi == null ? null : nodeApi.get(), current, bypass.count(), bypass.sample(), updater.state(),
                dataPlane.upstreamHealth(), checkpoint);
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    /**
     * Pins a new signing key without re-enrollment. Only for the agent embedded in a control-plane
     * node that has just rotated its own key: it trusts its own process. Remote agents never re-pin.
     */
    public synchronized void trustRotatedSigningKey(byte[] signingKey) {
        pin = new AgentFiles.Pin(signingKey.clone(), Ed25519KeyPair.fingerprint(signingKey), pin.highestEpoch());
        files.pin(pin);
        refusedBundle = null;
    }

    /** The agent's identity, once enrolled. */
    public AgentFiles.Identity identity() {
        return identity;
    }

    /** The control-plane endpoints this agent learned from bundles and answers (kept in {@code endpoints.json}). */
    public List<String> knownEndpoints() {
        return endpoints;
    }

    /**
     * Why this agent is not ready to carry traffic, or null when it is: its listeners are bound
     * and it serves a bundle that verified under the pinned key.
     */
    public String notReadyReason() {
        Optional<String> listeners = dataPlane.listenerProblem();
        if (listeners.isPresent()) {
            return "listeners not bound: " + listeners.get();
        }
        if (appliedEpoch == 0) {
            String refused = lastRefusal;
            return "no verified bundle in force" + (refused == null ? "" : " (last refused: " + refused + ")")
                    + "; serving an empty configuration until the control plane sends one";
        }
        return null;
    }

    /** The agent's id, once enrolled. */
    public String agentId() {
        return identity == null ? null : identity.agentId();
    }

    /** {@code [epoch, seq]} of the bundle in force; {@code [0, 0]} before the first. */
    public long[] appliedVersion() {
        return new long[] {appliedEpoch, appliedSeq};
    }

    /** Completes once this agent has applied bundle version {@code epoch.seq} or a later one. */
    public java.util.concurrent.CompletableFuture<Long> applied(long epoch, long seq) {
        return applied.reach(epoch << 40 | seq);
    }

    /** Whether the last poll reached the control plane. */
    public boolean controlPlaneReachable() {
        return reachable;
    }

    @Override
    public void close() {
        running.set(false);
        if (sync != null) {
            sync.interrupt();
        }
        if (heartbeat != null) {
            heartbeat.interrupt();
        }
        if (shipper != null) {
            shipper.close();
        }
        search.shutdownNow();
    }
}
