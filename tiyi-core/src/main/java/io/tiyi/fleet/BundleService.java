package io.tiyi.fleet;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.RulesArchive;
import io.tiyi.bundle.SignedBundle;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.SealedBox;
import io.tiyi.proxy.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
public final class BundleService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleService.class);

    private final LongSupplier epoch;
    private final Supplier<List<String>> endpoints;
    private volatile Ed25519KeyPair signingKey;
    private volatile Published current;
    private final Map<String, RulesArchive> archives = new ConcurrentHashMap<>();
    private final Map<String, SignedBundle> perAgent = new ConcurrentHashMap<>();
    private final io.tiyi.internal.LongPolls polls = new io.tiyi.internal.LongPolls("tiyi-bundle-watch");
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

    public BundleService(LongSupplier epoch, Supplier<List<String>> endpoints, Ed25519KeyPair signingKey, MetricRegistry metrics) {
        this.epoch = epoch;
        this.endpoints = endpoints;
        this.signingKey = signingKey;
        metrics.gauge("tiyi_bundle_version", () -> () -> current == null ? 0 : current.seq());
        metrics.gauge("tiyi_bundle_watchers", () -> polls::parked);
    }

    /** Publishes a new configuration: every waiting agent older than it gets its bundle now. */
    public void publish(RuntimeConfig cfg) {
        Bundle.RulesRef rules = rulesOf(cfg.waf());
        current = new Published(epoch.getAsLong(), cfg.version(), cfg, rules);
        perAgent.clear();
        polls.wake();
    }

    /** Replaces the signing key (after a rotation); bundles signed from now on use it. */
    public void signingKey(Ed25519KeyPair key) {
        this.signingKey = key;
        perAgent.clear();
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
            throw new TiyiException(io.tiyi.ErrorCode.UNAVAILABLE, "no configuration compiled yet; retry in a moment");
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
        RuntimeConfig stripped = r.withCertificates(certs, r.waf());
        Bundle b = new Bundle(Bundle.FORMAT, p.epoch(), p.seq(), agent.id(), System.currentTimeMillis(), stripped, sealed, p.rules(),
                endpoints.get(), commands.apply(agent.id()));
        return SignedBundle.sign(b, signingKey);
    }

    private volatile java.util.function.Function<String, List<Bundle.AgentCommand>> commands = id -> List.of();

    /** Where an agent's commands come from (its binary rollout), read when its bundle is built. */
    public void commands(java.util.function.Function<String, List<Bundle.AgentCommand>> source) {
        this.commands = source;
    }

    /** The rule archive with {@code hash}, if it is one this control plane serves. */
    public java.util.Optional<RulesArchive> rules(String hash) {
        return java.util.Optional.ofNullable(archives.get(hash));
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
        } catch (IOException | io.tiyi.waf.seclang.SecLangException e) {
            throw new TiyiException("cannot pack the CRS in " + dir + " for agents: " + e.getMessage());
        }
    }

    /** Names, sizes and modification times of the files that go into an archive: a cheap test for "unchanged". */
    private static String stamp(Path dir) {
        StringBuilder sb = new StringBuilder();
        Path setup;
        try {
            setup = io.tiyi.waf.crs.CrsLayout.of(dir).setupFile();
        } catch (io.tiyi.waf.seclang.SecLangException e) {
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
}
