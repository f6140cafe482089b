package io.tiyi.agent;

import io.tiyi.TiyiVersion;
import io.tiyi.bundle.AgentReport;
import io.tiyi.bundle.Bundle;
import io.tiyi.bundle.SignedRelease;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.ReleasesService;
import io.tiyi.crypto.Sha256;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an agent's binary rollout commands: checks the release manifest the command carries
 * against the pinned signing key (the control plane signed it at import), refuses a version that
 * is the one running or older than it (only a rollback goes back, to the binary kept on disk),
 * downloads the artifact with the agent's credential, checks its size and SHA-256 against the
 * signed manifest, installs it beside the others under
 * {@code releases/<version>/tiyi.jar}, points {@code releases/current} at it (keeping
 * {@code releases/previous}) and asks the process to exit with {@link #EXIT_RESTART} so its
 * supervisor starts the new binary.
 *
 * <p>Whether the new binary works is not decided here: a binary that cannot start cannot roll
 * itself back. The supervisor contract ({@code bin/tiyi}) marks a pending switch as started,
 * and when it is started a second time without the new binary having confirmed (see
 * {@link #confirm}) it points {@code current} back at {@code previous} and leaves a
 * {@code failed} note that the old binary reports.
 */
public final class BinaryUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(BinaryUpdater.class);
    /** The exit code that asks the supervisor to start the binary {@code releases/current} now names. */
    public static final int EXIT_RESTART = 75;
    static final String JAR = "tiyi.jar";

    private final Path dir;
    private final Supplier<TiyiClient> client;
    private final Supplier<byte[]> pinnedKey;
    private volatile Runnable restart;
    private volatile AgentReport.Rollout state;
    private volatile String awaiting;
    private volatile Thread worker;

    /**
     * @param dir the agent's {@code releases/} directory
     * @param client a client of the control plane with the agent's credential
     * @param pinnedKey the bundle signing key the agent pinned, which release manifests are checked with
     */
    BinaryUpdater(Path dir, Supplier<TiyiClient> client, Supplier<byte[]> pinnedKey) {
        this.dir = dir;
        this.client = client;
        this.pinnedKey = pinnedKey;
    }

    /** How the process restarts into a new binary (the launcher exits with {@link #EXIT_RESTART}); without it commands fail. */
    void onRestart(Runnable r) {
        this.restart = r;
    }

    /** What the agent reports of its latest rollout, or null. */
    AgentReport.Rollout state() {
        return state;
    }

    /** Reads what the supervisor left: a rollback it made, or a switch this binary must confirm. */
    void start() {
        try {
            Path last = dir.resolve("last");
            if (Files.isRegularFile(last)) {
                Properties p = read(last);
                state = new AgentReport.Rollout(Long.parseLong(p.getProperty("rollout_id", "0")), p.getProperty("state", "failed"),
                        p.getProperty("reason"));
            }
            Path failed = dir.resolve("failed");
            if (Files.isRegularFile(failed)) {
                Properties p = read(failed);
                record(new AgentReport.Rollout(Long.parseLong(p.getProperty("rollout_id", "0")), "failed", p.getProperty("reason")));
                LOG.warn("agent: {}; reporting the rollout as failed", p.getProperty("reason"));
                Files.delete(failed);
            }
            Path pending = dir.resolve("pending");
            if (Files.isRegularFile(pending)) {
                Properties p = read(pending);
                long id = Long.parseLong(p.getProperty("rollout_id", "0"));
                String to = p.getProperty("to");
                if (TiyiVersion.version().equals(to)) {
                    awaiting = Long.toString(id);
                } else if (TiyiVersion.version().equals(p.getProperty("from")) && !to.equals(currentTarget())) {
                    record(new AgentReport.Rollout(id, "failed", "the agent stopped before switching to tiyi " + to
                            + "; apply the release again"));
                    Files.delete(pending);
                    Files.deleteIfExists(dir.resolve("pending.started"));
                } else {
                    record(new AgentReport.Rollout(id, "failed", "the supervisor started tiyi " + TiyiVersion.version() + ", not the installed "
                            + to + ": run the agent through bin/tiyi (or the systemd unit in docs/upgrades.md), which starts releases/current"));
                    Files.delete(pending);
                    Files.deleteIfExists(dir.resolve("pending.started"));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("agent: cannot read {}: {}", dir, e.toString());
        }
    }

    /** The version {@code releases/current} names, or null. */
    private String currentTarget() {
        try {
            Path c = dir.resolve("current");
            return Files.isSymbolicLink(c) ? Files.readSymbolicLink(c).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** True while a switch to this binary waits for {@link #confirm}. */
    boolean awaitingConfirmation() {
        return awaiting != null;
    }

    /** Called once the agent serves and a primary took its report: the switch to this binary worked. */
    void confirm() {
        String id = awaiting;
        if (id == null) {
            return;
        }
        awaiting = null;
        try {
            Files.deleteIfExists(dir.resolve("pending"));
            Files.deleteIfExists(dir.resolve("pending.started"));
        } catch (IOException e) {
            LOG.warn("agent: cannot clear {}: {}", dir.resolve("pending"), e.toString());
        }
        record(new AgentReport.Rollout(Long.parseLong(id), "healthy", null));
        LOG.info("agent: running tiyi {} (rollout {}) and serving", TiyiVersion.version(), id);
    }

    /** Starts the first command not run yet, on its own thread; one at a time. */
    synchronized void run(List<Bundle.AgentCommand> commands) {
        if (worker != null && worker.isAlive()) {
            return;
        }
        for (Bundle.AgentCommand c : commands) {
            long id = Long.parseLong(c.args().getOrDefault("rollout_id", "0"));
            // Done survives the restart into the new binary (and a rollback by the supervisor): the
            // command stays in bundles until the control plane has the outcome.
            if (done(c.id())) {
                continue;
            }
            worker = new Thread(() -> execute(c, id), "tiyi-agent-update");
            worker.setDaemon(true);
            worker.start();
            return;
        }
    }

    private void execute(Bundle.AgentCommand c, long id) {
        try {
            String from = TiyiVersion.version();
            SignedRelease.Artifact artifact = null;
            if (Bundle.AgentCommand.APPLY_BINARY.equals(c.type())) {
                // Checked before anything is downloaded: a refused release costs nothing.
                try {
                    artifact = checkRelease(c, from);
                } catch (IOException e) {
                    refuse(c, id, e.getMessage());
                    return;
                }
            }
            if (restart == null) {
                fail(c, id, "this agent runs inside another program: binary updates need the tiyi agent launcher under a supervisor");
                return;
            }
            Path running = runningJar();
            String to;
            if (artifact != null) {
                to = c.args().get("version");
                install(id, to, artifact);
            } else if (Bundle.AgentCommand.ROLLBACK_BINARY.equals(c.type())) {
                Path prev = dir.resolve("previous");
                if (!Files.isSymbolicLink(prev) || !Files.isRegularFile(prev.resolve(JAR))) {
                    fail(c, id, "no previous binary to roll back to in " + dir);
                    return;
                }
                to = Files.readSymbolicLink(prev).getFileName().toString();
                checkVersion(to, c);
            } else {
                fail(c, id, "unknown command " + c.type());
                return;
            }
            if (to.equals(from)) {
                fail(c, id, "this agent already runs tiyi " + to);
                return;
            }
            keep(running, from);
            // pending and done first, then the switch: a crash in between leaves a pending switch that
            // start() recognises as not made (this binary is its "from"), never a switch nobody watches.
            Properties p = new Properties();
            p.setProperty("rollout_id", Long.toString(id));
            p.setProperty("from", from);
            p.setProperty("to", to);
            write(dir.resolve("pending"), p);
            Files.deleteIfExists(dir.resolve("pending.started"));
            markDone(c.id());
            switchTo(to, from);
            record(new AgentReport.Rollout(id, "restarting", null));
            LOG.info("agent: switching from tiyi {} to {} (rollout {}); exiting with {} so the supervisor starts it", from, to, id, EXIT_RESTART);
            restart.run();
        } catch (IOException | RuntimeException e) {
            fail(c, id, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * The artifact to install, once the command's manifest verifies with the pinned key and names
     * the command's version and artifact, and that version is newer than the running one.
     */
    private SignedRelease.Artifact checkRelease(Bundle.AgentCommand c, String running) throws IOException {
        String to = c.args().get("version");
        checkVersion(to, c);
        SignedRelease.Verified m = SignedRelease.verify(c.args().get("manifest"), c.args().get("manifest_signature"), pinnedKey.get());
        if (!m.version().equals(to)) {
            throw new IOException("the command asks for tiyi " + to + " but its signed manifest is of release " + m.version());
        }
        String sha = c.args().get("sha256");
        SignedRelease.Artifact a = m.artifact(sha == null ? "" : sha).orElseThrow(() -> new IOException("artifact sha256 " + sha
                + " is not in the signed manifest of release " + to));
        if (a.size() != Long.parseLong(c.args().getOrDefault("size", "-1"))) {
            throw new IOException("the command's artifact size " + c.args().get("size") + " is not the signed manifest's " + a.size());
        }
        if (to.equals(running)) {
            throw new IOException("this agent already runs tiyi " + to + "; nothing to install");
        }
        boolean older;
        try {
            older = SignedRelease.compareVersions(to, running) < 0;
        } catch (IllegalArgumentException e) {
            // A dev build's version is not a release version: any release may replace it.
            older = false;
        }
        if (older) {
            throw new IOException("tiyi " + to + " is older than the running " + running + ": an apply never downgrades;"
                    + " to go back, use tiyi release rollback");
        }
        return a;
    }

    /** A release the agent will not install: the reason goes in its report, and the rollout fails on this agent. */
    private void refuse(Bundle.AgentCommand c, long id, String reason) {
        LOG.error("agent: refused release {} of rollout {}: {}; still running tiyi {}. Check tiyi release runs and the release's origin",
                c.args().get("version"), id, reason, TiyiVersion.version());
        record(new AgentReport.Rollout(id, "failed", "refused: " + reason));
        try {
            markDone(c.id());
        } catch (IOException e) {
            LOG.warn("agent: cannot record command {} as done: {}", c.id(), e.toString());
        }
    }

    /** A version names a directory under releases/: never one of the links or notes kept there. */
    private static void checkVersion(String v, Bundle.AgentCommand c) throws IOException {
        if (v == null || !v.matches("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?")) {
            throw new IOException("bad version '" + v + "' in command " + c.id());
        }
    }

    /** Keeps the latest outcome on disk too: it is reported until the control plane has it, across restarts. */
    private void record(AgentReport.Rollout r) {
        state = r;
        Properties p = new Properties();
        p.setProperty("rollout_id", Long.toString(r.rolloutId()));
        p.setProperty("state", r.state());
        if (r.reason() != null) {
            p.setProperty("reason", r.reason());
        }
        try {
            PrivateFiles.createDirectories(dir);
            write(dir.resolve("last"), p);
        } catch (IOException e) {
            LOG.warn("agent: cannot record rollout {} as {} in {}: {}", r.rolloutId(), r.state(), dir, e.toString());
        }
    }

    private void install(long id, String version, SignedRelease.Artifact artifact) throws IOException {
        String sha = artifact.sha256();
        long size = artifact.size();
        Path target = dir.resolve(version).resolve(JAR);
        if (Files.isRegularFile(target) && Sha256.hex(target).equals(sha)) {
            record(new AgentReport.Rollout(id, "verified", null));
            return;
        }
        record(new AgentReport.Rollout(id, "downloading", null));
        PrivateFiles.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(JAR + ".tmp");
        client.get().download(ReleasesService.DOWNLOAD, new ReleasesService.DownloadRequest(sha), tmp);
        long got = Files.size(tmp);
        if (got != size) {
            Files.deleteIfExists(tmp);
            throw new IOException("refused: downloaded artifact is " + got + " bytes, the signed release manifest says " + size);
        }
        String actual = Sha256.hex(tmp);
        if (!actual.equals(sha)) {
            Files.deleteIfExists(tmp);
            throw new IOException("refused: downloaded artifact has SHA-256 " + actual + ", the signed release manifest says " + sha
                    + "; it was altered on the control plane or on the way");
        }
        PrivateFiles.restrict(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        record(new AgentReport.Rollout(id, "verified", null));
        LOG.info("agent: tiyi {} downloaded and verified (sha256 {}), installed in {}", version, sha.substring(0, 12), target.getParent());
    }

    /** Makes sure the binary running now is installed too, so there is something to go back to. */
    private void keep(Path running, String version) throws IOException {
        Path target = dir.resolve(version).resolve(JAR);
        if (Files.isRegularFile(target)) {
            return;
        }
        if (running == null) {
            throw new IOException("cannot find the jar this agent runs from, to keep it for a rollback");
        }
        PrivateFiles.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(JAR + ".tmp");
        Files.copy(running, tmp, StandardCopyOption.REPLACE_EXISTING);
        PrivateFiles.restrict(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Points {@code current} at {@code to} and {@code previous} at {@code from}, each with one atomic rename. */
    private void switchTo(String to, String from) throws IOException {
        link("previous", from);
        link("current", to);
    }

    private void link(String name, String version) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(version));
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void fail(Bundle.AgentCommand c, long id, String reason) {
        LOG.error("agent: rollout {} failed: {}; still running tiyi {}", id, reason, TiyiVersion.version());
        record(new AgentReport.Rollout(id, "failed", reason));
        try {
            markDone(c.id());
        } catch (IOException e) {
            LOG.warn("agent: cannot record command {} as done: {}", c.id(), e.toString());
        }
    }

    private boolean done(String commandId) {
        try {
            Path f = dir.resolve("done");
            return Files.isRegularFile(f) && Files.readAllLines(f, StandardCharsets.UTF_8).contains(commandId);
        } catch (IOException e) {
            return false;
        }
    }

    private void markDone(String commandId) throws IOException {
        PrivateFiles.createDirectories(dir);
        try (var out = PrivateFiles.newOutputStream(dir.resolve("done"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            out.write((commandId + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The jar this process runs from, or null when it runs from classes (tests, an IDE). */
    static Path runningJar() {
        try {
            Path p = Path.of(TiyiVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Properties read(Path f) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p;
    }

    /** Writes {@code key=value} lines (bin/tiyi reads them with grep) through a rename. */
    private static void write(Path f, Properties p) throws IOException {
        Map<String, String> ordered = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> ordered.put(k, p.getProperty(k)));
        StringBuilder sb = new StringBuilder();
        ordered.forEach((k, v) -> sb.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        PrivateFiles.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
