package io.tiyi.agent;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.TiyiVersion;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.RulesArchive;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.bundle.SignedBundle.RefusedException;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.SealedBox;
import io.tiyi.internal.Json;
import io.tiyi.proxy.DataPlane;
import io.tiyi.proxy.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent: enrolls once, then long-polls the control plane for its bundles, checks each one
 * ({@link BundleGate}), applies it to the data plane (built completely, then swapped in) and
 * keeps it as the last good bundle. It reports its state on every change and every heartbeat.
 * When the control plane cannot be reached it keeps serving what it has and retries with
 * backoff and jitter; after a restart it serves its last good bundle before it reaches anyone.
 * Traffic never waits for the control plane: the data plane reads only the applied configuration.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);
    static final long HEARTBEAT_MS = 10_000;
    static final long MAX_BACKOFF_MS = 30_000;
    static final long WATCH_MS = 25_000;

    private final AgentFiles files;
    private final DataPlane dataPlane;
    private final MetricRegistry metrics;
    private final Timer applyTimer;
    private final long startedAt = System.currentTimeMillis();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object reportLock = new Object();
    private volatile AgentFiles.Identity identity;
    private volatile AgentFiles.Pin pin;
    private volatile TiyiClient api;
    private volatile long appliedEpoch;
    private volatile long appliedSeq;
    private volatile long refusedEpoch;
    private volatile long refusedSeq;
    private volatile String lastRefusal;
    private volatile String health = "starting";
    private volatile boolean reachable;
    private Thread sync;
    private Thread heartbeat;

    public AgentRuntime(AgentFiles files, DataPlane dataPlane, MetricRegistry metrics) {
        this.files = files;
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
        Optional<AgentFiles.Identity> existing = files.identity();
        if (existing.isPresent()) {
            AgentFiles.Identity id = existing.get();
            if (token != null) {
                LOG.warn("agent: already enrolled as {} in {}; the enrollment token was not used (start with --api and --state-dir only)",
                        id.agentId(), files.dir());
            }
            if (apiUrl != null && !apiUrl.equals(id.api())) {
                id = new AgentFiles.Identity(apiUrl, id.agentId(), id.tag(), id.credential(), id.x25519Private(), id.ed25519Private());
                files.identity(id);
            }
            if (files.pin().isEmpty()) {
                throw new TiyiException(files.dir().resolve(AgentFiles.PIN) + " is missing: the agent cannot check bundles without its pinned"
                        + " signing key; re-enroll into an empty --state-dir with a new token");
            }
            return id;
        }
        if (apiUrl == null) {
            throw TiyiException.invalid("this agent is not enrolled yet: give --api URL and --enrollment-token TOKEN");
        }
        if (token == null) {
            throw TiyiException.invalid("this agent is not enrolled yet: give --enrollment-token (tiyi agents issue-token --tag TAG prints one)");
        }
        byte[][] x = SealedBox.generateKeyPair();
        Ed25519KeyPair ed = Ed25519KeyPair.generate();
        byte[] proofMessage = io.tiyi.bundle.Enrollment.proofMessage(token, x[1]);
        Map<String, Object> req = new java.util.LinkedHashMap<>();
        req.put("token", token);
        req.put("x25519_public", x[1]);
        req.put("ed25519_public", ed.publicKey());
        req.put("proof", ed.sign(proofMessage));
        req.put("hostname", hostname());
        JsonNode r = TiyiClient.of(apiUrl, null).call("AgentsService", "Enroll", req);
        byte[] signingKey = Base64.getDecoder().decode(r.get("signing_key").asText());
        AgentFiles.Identity id = new AgentFiles.Identity(apiUrl, r.get("agent_id").asText(), r.get("tag").asText(),
                r.get("credential").asText(), x[0], ed.privateKeyBytes());
        files.pin(new AgentFiles.Pin(signingKey, Ed25519KeyPair.fingerprint(signingKey), 0));
        files.identity(id);
        LOG.info("agent: enrolled with {} as {} (tag {}); pinned bundle signing key {}", apiUrl, id.agentId(), id.tag(),
                Ed25519KeyPair.fingerprint(signingKey));
        return id;
    }

    /** Starts serving: the last good bundle first (if any), then the sync and heartbeat loops. */
    public void start(AgentFiles.Identity id) {
        identity = id;
        pin = files.pin().orElseThrow();
        api = TiyiClient.of(id.api(), id.credential());
        files.lastBundle().ifPresent(b -> {
            try {
                apply(b, "last good bundle from " + files.dir().resolve(AgentFiles.BUNDLE));
            } catch (RuntimeException e) {
                LOG.error("agent: cannot serve the last good bundle: {}; waiting for the control plane", e.getMessage());
            }
        });
        if (appliedEpoch == 0) {
            dataPlane.apply(RuntimeConfig.empty(new RuntimeConfig.Listeners("127.0.0.1:8000", "127.0.0.1:8443")));
        }
        running.set(true);
        sync = new Thread(this::syncLoop, "tiyi-agent-sync");
        sync.setDaemon(true);
        sync.start();
        heartbeat = new Thread(this::heartbeatLoop, "tiyi-agent-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private void syncLoop() {
        long backoff = 500;
        boolean announcedOutage = false;
        while (running.get()) {
            try {
                long afterEpoch = appliedEpoch;
                long afterSeq = appliedSeq;
                if (Bundle.compare(refusedEpoch, refusedSeq, afterEpoch, afterSeq) > 0) {
                    afterEpoch = refusedEpoch;
                    afterSeq = refusedSeq;
                }
                JsonNode r = api.call("BundlesService", "Watch", Map.of("after_epoch", afterEpoch, "after_seq", afterSeq, "timeout_ms",
                        WATCH_MS));
                if (!reachable || announcedOutage) {
                    LOG.info("agent: control plane {} reachable", identity.api());
                    announcedOutage = false;
                }
                reachable = true;
                backoff = 500;
                if (r.get("changed").asBoolean()) {
                    SignedBundle b = Json.MAPPER.treeToValue(r.get("bundle"), SignedBundle.class);
                    receive(b);
                }
            } catch (TiyiApiException e) {
                reachable = e.httpStatus() < 500 ? reachable : false;
                LOG.warn("agent: control plane {} refused the bundle poll: {} ({}); serving bundle {}.{}, retrying in {} ms", identity.api(),
                        e.getMessage(), e.wireCode(), appliedEpoch, appliedSeq, backoff);
                health = e.httpStatus() == 401 ? "credential refused: " + e.getMessage() : health;
                backoff = sleep(backoff);
            } catch (RuntimeException | IOException e) {
                if (!running.get()) {
                    // close() interrupted the poll: a shutdown, not an outage.
                    break;
                }
                reachable = false;
                if (!announcedOutage) {
                    LOG.warn("agent: control plane {} unreachable ({}); serving bundle {}.{} and retrying with backoff", identity.api(),
                            e.getMessage(), appliedEpoch, appliedSeq);
                    announcedOutage = true;
                }
                backoff = sleep(backoff);
            }
        }
    }

    private long sleep(long backoff) {
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        try {
            Thread.sleep(jittered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
        return Math.min(MAX_BACKOFF_MS, backoff * 2);
    }

    private void heartbeatLoop() {
        while (running.get()) {
            try {
                Thread.sleep(HEARTBEAT_MS);
            } catch (InterruptedException e) {
                return;
            }
            report();
        }
    }

    /** Checks and applies a bundle received from the control plane; refusals are logged, counted and reported. */
    void receive(SignedBundle b) {
        try {
            apply(b, "control plane " + identity.api());
        } catch (RefusedBundle e) {
            // Poll for something newer than the refused bundle instead of receiving it again at once.
            refusedEpoch = e.epoch;
            refusedSeq = e.seq;
        }
        report();
    }

    /** A bundle was refused; thrown out of {@link #apply} so callers can skip past its version. */
    private static final class RefusedBundle extends RuntimeException {
        final long epoch;
        final long seq;

        RefusedBundle(String message, long epoch, long seq) {
            super(message);
            this.epoch = epoch;
            this.seq = seq;
        }
    }

    private synchronized void apply(SignedBundle signed, String from) {
        Bundle b;
        try {
            b = BundleGate.check(signed, pin, identity.agentId(), appliedEpoch, appliedSeq);
        } catch (RefusedException e) {
            metrics.counter("tiyi_agent_bundles_refused." + e.reason().wireName()).inc();
            lastRefusal = e.reason().wireName() + ": " + e.getMessage();
            LOG.warn("agent: refused a bundle from {}: {}", from, e.getMessage());
            long[] v = versionOf(signed);
            throw new RefusedBundle(e.getMessage(), v[0], v[1]);
        }
        if (b.epoch() == appliedEpoch && b.seq() == appliedSeq) {
            return;
        }
        Timer.Context t = applyTimer.time();
        try {
            RuntimeConfig cfg = localize(b);
            dataPlane.apply(cfg);
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            health = "bundle " + b.version() + " not applied: " + e.getMessage();
            LOG.error("agent: cannot apply bundle {} from {}: {}; still serving {}.{}", b.version(), from, e.getMessage(), appliedEpoch,
                    appliedSeq);
            metrics.counter("tiyi_agent_bundles_failed").inc();
            throw new RefusedBundle(e.getMessage(), b.epoch(), b.seq());
        } finally {
            t.stop();
        }
        appliedEpoch = b.epoch();
        appliedSeq = b.seq();
        health = "ok";
        lastRefusal = null;
        if (b.epoch() > pin.highestEpoch()) {
            pin = pin.withEpoch(b.epoch());
            files.pin(pin);
        }
        files.lastBundle(signed);
        LOG.info("agent: applied bundle {} from {}", b.version(), from);
    }

    /** Reads the version of a bundle whose checks failed, for the log and to poll past it; {@code [0, 0]} when unreadable. */
    private static long[] versionOf(SignedBundle signed) {
        try {
            JsonNode n = Json.MAPPER.readTree(signed.payload());
            return new long[] {n.path("epoch").asLong(), n.path("seq").asLong()};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** The bundle's configuration for this host: TLS keys unsealed in memory, the rule set from the local copy. */
    private RuntimeConfig localize(Bundle b) throws IOException, GeneralSecurityException {
        List<RuntimeConfig.CertificateConfig> certs = new ArrayList<>();
        for (RuntimeConfig.CertificateConfig c : b.runtime().certificates()) {
            byte[] box = b.sealedKeys().get(c.name());
            if (box == null) {
                throw new IOException("certificate " + c.name() + " has no sealed key in the bundle");
            }
            byte[] key = SealedBox.open(identity.x25519Private(), box, Bundle.sealedKeyContext(identity.agentId(), c.name()));
            certs.add(new RuntimeConfig.CertificateConfig(c.name(), c.certPem(), key, c.sans(), c.notAfter()));
        }
        RuntimeConfig.WafRules waf = b.runtime().waf();
        if (b.rules() != null && b.rules().hash() != null) {
            java.nio.file.Path local = files.rulesDir(b.rules().hash());
            if (!Files.isDirectory(local)) {
                JsonNode r = api.call("BundlesService", "GetRules", Map.of("hash", b.rules().hash()));
                byte[] archive = Base64.getDecoder().decode(r.get("archive").asText());
                Files.createDirectories(local.getParent());
                RulesArchive.unpack(archive, b.rules().hash(), local);
                LOG.info("agent: rule set {} fetched ({} bytes)", b.rules().hash().substring(0, 19), archive.length);
            }
            waf = new RuntimeConfig.WafRules("crs", local.toString());
        }
        RuntimeConfig r = b.runtime();
        return new RuntimeConfig(r.version(), r.listeners(), r.sites(), certs, waf);
    }

    /** Sends a state report now; failures are left to the next heartbeat. */
    public void report() {
        AgentFiles.Identity id = identity;
        if (id == null || !running.get()) {
            return;
        }
        synchronized (reportLock) {
            try {
                api.call("AgentsService", "Report", currentReport());
            } catch (RuntimeException e) {
                LOG.debug("agent: report not delivered: {}", e.getMessage());
            }
        }
    }

    /** What this agent would report now. */
    public AgentReport currentReport() {
        String address = dataPlane.httpAddress().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse(null);
        return new AgentReport(pin == null ? 0 : pin.highestEpoch(), appliedEpoch, appliedSeq, health, TiyiVersion.version(),
                System.getProperty("os.name").toLowerCase(Locale.ROOT), arch(), (System.currentTimeMillis() - startedAt) / 1000, address,
                lastRefusal);
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The agent's id, once enrolled. */
    public String agentId() {
        return identity == null ? null : identity.agentId();
    }

    /** {@code [epoch, seq]} of the bundle in force; {@code [0, 0]} before the first. */
    public long[] appliedVersion() {
        return new long[] {appliedEpoch, appliedSeq};
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
    }
}
