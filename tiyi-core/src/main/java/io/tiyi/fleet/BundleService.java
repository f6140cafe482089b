package io.tiyi.fleet;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.bundle.RulesArchive;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.SealedBox;
import io.tiyi.internal.LongPolls;
import io.tiyi.internal.Topic;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.waf.crs.CrsLayout;
import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each runtime configuration the compiler produces into bundles for agents, and answers
 * their long polls. The configuration is compiled once per commit burst; a bundle is sealed and
 * signed per agent when that agent asks (its TLS keys are sealed to its own key) and cached
 * until the next version. A waiting agent is answered the moment a newer version exists, or
 * with "unchanged" when its poll times out; nothing blocks a thread while it waits.
 */
public final class BundleService implements AutoCloseable, RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(BundleService.class);

    private final Fleet fleet;
    private final SigningKeys keys;
    private final LongSupplier epoch;
    private final Supplier<List<String>> endpoints;
    private final Supplier<String> notPrimary;
    private final Topic<byte[]> rotations = new Topic<>("signing key rotations");
    private final List<java.util.function.BiConsumer<byte[], String>> replaced = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Ed25519KeyPair signingKey;
    private volatile Published current;
    private final Map<String, RulesArchive> archives = new ConcurrentHashMap<>();
    private final Map<String, SignedBundle> perAgent = new ConcurrentHashMap<>();
    private final LongPolls polls = new LongPolls("tiyi-bundle-watch");
    private String archivedDir;
    private String archivedStamp;
    private Bundle.RulesRef archivedRef;

    /** A configuration ready to be bundled. */
    private record Published(long epoch, long seq, RuntimeConfig runtime, Bundle.RulesRef rules) {}

    /**
     * An answer to a long poll.
     *
     * @param changed true when {@code bundle} is newer than what the agent has
     * @param bundle the agent's bundle, when changed
     */
    public record WatchResult(boolean changed, SignedBundle bundle) {}

    /**
     * The answer to a rotation of the signing key.
     *
     * @param fingerprint the new key's
     * @param previous the replaced key's
     */
    public record Rotated(String fingerprint, String previous) {}

    /**
     * @param keys the signing key in state.db
     * @param epoch the epoch bundles are compiled under: this node's
     * @param endpoints the control-plane endpoints every bundle names
     * @param notPrimary why this node serves no bundles now, or null when it does (the read-write primary)
     */
    public BundleService(Fleet fleet, SigningKeys keys, LongSupplier epoch, Supplier<List<String>> endpoints, Supplier<String> notPrimary,
            MetricRegistry metrics) {
        this.fleet = fleet;
        this.keys = keys;
        this.epoch = epoch;
        this.endpoints = endpoints;
        this.notPrimary = notPrimary;
        this.signingKey = keys.load();
        metrics.gauge("tiyi_bundle_version", () -> () -> current == null ? 0 : current.seq());
        metrics.gauge("tiyi_bundle_watchers", () -> polls::parked);
    }

    /**
     * Publishes a new configuration: every waiting agent older than it gets its bundle now, with a
     * checkpoint of the audit chain signed for it.
     */
    public void publish(RuntimeConfig cfg) {
        Bundle.RulesRef rules = rulesOf(cfg.waf());
        try {
            checkpointForBundle.run();
        } catch (RuntimeException e) {
            LOG.error("bundles: no audit checkpoint signed for bundle {}: {}; agents keep the previous one", cfg.version(), e.toString());
        }
        current = new Published(epoch.getAsLong(), cfg.version(), cfg, rules);
        perAgent.clear();
        polls.wake();
    }

    /**
     * Replaces the signing key with a new one; bundles signed from now on use it, and every
     * subscriber hears of its public key. Agents pinned to the old key refuse the new bundles
     * until they are re-enrolled.
     */
    public Rotated rotateSigningKey(String actor) {
        String previous = Ed25519KeyPair.fingerprint(signingKeyPublic());
        byte[] outgoing = signingKeyPublic();
        String next = keys.rotate(actor);
        signingKey = keys.load();
        // Before any agent hears of the new key: what the outgoing key signed is signed again first.
        replaced.forEach(r -> r.accept(outgoing, actor));
        perAgent.clear();
        rotations.publish(signingKeyPublic());
        LOG.warn("bundles: signing key rotated from {} to {}; every agent refuses new bundles until it is re-enrolled", previous, next);
        return new Rotated(next, previous);
    }

    /**
     * Calls {@code subscriber} with the outgoing public key and the actor at every rotation, once
     * the new key is stored, on the rotating thread: it may submit mutations.
     */
    public void onSigningKeyReplaced(java.util.function.BiConsumer<byte[], String> subscriber) {
        replaced.add(subscriber);
    }

    /** Calls {@code subscriber} with the new public key after every rotation. */
    public void onSigningKeyRotated(Consumer<byte[]> subscriber) {
        rotations.subscribe(subscriber);
    }

    /** The epoch bundles are compiled under now. */
    public long epoch() {
        return epoch.getAsLong();
    }

    /** Every control-plane endpoint bundles name now; also handed out with poll and report answers. */
    public List<String> endpoints() {
        return endpoints.get();
    }

    /** Why this node serves no bundles now (with where the primary is), or null when it does. */
    public String notPrimaryReason() {
        return notPrimary.get();
    }

    /** The raw public key bundles are signed with now. */
    public byte[] signingKeyPublic() {
        return signingKey.publicKey();
    }

    /** The bundle version now, as {@code [epoch, seq]}. */
    public long[] version() {
        Published p = current;
        return p == null ? new long[] {0, 0} : new long[] {p.epoch(), p.seq()};
    }

    /**
     * Waits for a bundle newer than {@code (afterEpoch, afterSeq)} for {@code agent}.
     *
     * @return completes with the bundle as soon as one exists, or unchanged after {@code timeout}
     */
    public CompletableFuture<WatchResult> watch(Fleet.Agent agent, long afterEpoch, long afterSeq, Duration timeout) {
        return polls.poll(() -> {
            Published p = current;
            return p != null && Bundle.compare(p.epoch(), p.seq(), afterEpoch, afterSeq) > 0;
        }, () -> new WatchResult(true, bundleFor(agent)), new WatchResult(false, null), timeout);
    }

    /** The current bundle of an agent: TLS keys sealed to it, signed. */
    public SignedBundle bundleFor(Fleet.Agent agent) {
        Published p = current;
        if (p == null) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "no configuration compiled yet; retry in a moment");
        }
        return perAgent.computeIfAbsent(agent.id() + "@" + p.epoch() + "." + p.seq(), k -> build(p, agent));
    }

    private SignedBundle build(Published p, Fleet.Agent agent) {
        Map<String, byte[]> sealed = new LinkedHashMap<>();
        List<RuntimeConfig.CertificateConfig> certs = new ArrayList<>();
        for (RuntimeConfig.CertificateConfig c : p.runtime().certificates()) {
            sealed.put(c.name(), SealedBox.seal(agent.x25519Public(), c.keyPkcs8(), Bundle.sealedKeyContext(agent.id(), c.name())));
            certs.add(new RuntimeConfig.CertificateConfig(c.name(), c.certPem(), null, c.sans(), c.notAfter()));
        }
        RuntimeConfig r = p.runtime();
        // waf.rules_dirs are paths on this host; an agent reads custom rules' files from its CRS copy only.
        RuntimeConfig stripped = r.withCertificates(certs, r.waf().withRulesDirs(List.of()));
        Bundle b = new Bundle(Bundle.FORMAT, p.epoch(), p.seq(), agent.id(), System.currentTimeMillis(), stripped, sealed, p.rules(),
                endpoints.get(), commands.apply(agent.id()));
        return SignedBundle.sign(b, signingKey);
    }

    private volatile Function<String, List<Bundle.AgentCommand>> commands = id -> List.of();
    private volatile Runnable checkpointForBundle = () -> {};
    private volatile Supplier<SignedCheckpoint> checkpoint = () -> null;

    /**
     * Where the audit checkpoints that go out with bundle polls come from.
     *
     * @param signForBundle signs a fresh checkpoint; run before each new bundle is published
     * @param latest the newest signed checkpoint, or null; sent with every poll answer
     */
    public void checkpoints(Runnable signForBundle, Supplier<SignedCheckpoint> latest) {
        this.checkpointForBundle = signForBundle;
        this.checkpoint = latest;
    }

    /** The newest signed audit checkpoint, or null before the first. */
    public SignedCheckpoint checkpoint() {
        return checkpoint.get();
    }

    /** Signs an audit checkpoint with the bundle signing key, the key agents pinned. */
    public SignedCheckpoint sign(Checkpoint c) {
        return SignedCheckpoint.sign(c, signingKey);
    }

    /** Where an agent's commands come from (its binary rollout), read when its bundle is built. */
    public void commands(Function<String, List<Bundle.AgentCommand>> source) {
        this.commands = source;
    }

    /** The rule archive with {@code hash}, if it is one this control plane serves. */
    public Optional<RulesArchive> rules(String hash) {
        return Optional.ofNullable(archives.get(hash));
    }

    private synchronized Bundle.RulesRef rulesOf(RuntimeConfig.WafRules waf) {
        if (!"crs".equals(waf.kind()) || waf.crsDir() == null) {
            return new Bundle.RulesRef("builtin", null, 0);
        }
        Path dir = Path.of(waf.crsDir());
        String stamp = stamp(dir);
        if (waf.crsDir().equals(archivedDir) && stamp.equals(archivedStamp)) {
            return archivedRef;
        }
        try {
            RulesArchive a = RulesArchive.pack(dir);
            archives.put(a.hash(), a);
            archivedDir = waf.crsDir();
            archivedStamp = stamp;
            archivedRef = new Bundle.RulesRef("crs", a.hash(), a.size());
            LOG.info("bundles: rule set {} from {} ({} bytes compressed)", a.hash().substring(0, 19), dir, a.size());
            return archivedRef;
        } catch (IOException | SecLangException e) {
            throw new TiyiException("cannot pack the CRS in " + dir + " for agents: " + e.getMessage());
        }
    }

    /** Names, sizes and modification times of the files that go into an archive: a cheap test for "unchanged". */
    private static String stamp(Path dir) {
        StringBuilder sb = new StringBuilder();
        Path setup;
        try {
            setup = CrsLayout.of(dir).setupFile();
        } catch (SecLangException e) {
            return "unusable:" + e.getMessage();
        }
        try (Stream<Path> s = Stream.concat(Stream.of(setup), Files.list(dir.resolve("rules")))) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p)) {
                    sb.append(p.getFileName()).append(':').append(Files.size(p)).append(':').append(Files.getLastModifiedTime(p).toMillis())
                            .append(';');
                }
            }
        } catch (IOException e) {
            return "unreadable:" + e.getMessage();
        }
        return sb.toString();
    }

    @Override
    public void close() {
        polls.close();
    }

    @Override
    public void register(RpcRegistry registry) {
        AgentsRpc.register(registry, fleet, this);
        BundlesRpc.register(registry, fleet, this);
    }
}
