package io.tiyi.backup;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.Role;
import io.tiyi.settings.SettingDefinition;
import io.tiyi.settings.Settings;
import io.tiyi.store.Committed;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link BackupStream} a node should run: on the read-write primary when
 * {@code backup.stream.dir} is set, with the settings in force, and on no other node. Settings
 * changes and role changes (promotion, demotion, restore) are picked up within seconds; each
 * change starts a new stream (and so a new generation when continuity is not proven).
 */
public final class StreamControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamControl.class);

    private record Want(Path dir, String nodeId, long epoch, Duration snapshotEvery, Duration retention) {}

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Settings settings;
    private final Supplier<ClusterState> cluster;
    private final MetricRegistry metrics;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tiyi-backup-stream-control");
        t.setDaemon(true);
        return t;
    });
    private Want running;
    private BackupStream stream;
    private String lastProblem;

    public StreamControl(StateStore store, MutationPipeline pipeline, Settings settings, Supplier<ClusterState> cluster, MetricRegistry metrics) {
        this.store = store;
        this.pipeline = pipeline;
        this.settings = settings;
        this.cluster = cluster;
        this.metrics = metrics;
    }

    public StreamControl start() {
        loop.scheduleWithFixedDelay(this::reconcile, 0, 5, TimeUnit.SECONDS);
        return this;
    }

    /** After each commit: a settings change is looked at now rather than at the next round. */
    public void committed(Committed<?> c) {
        if (Settings.Set.KIND.equals(c.kind())) {
            poke();
        }
    }

    /** Looks again now (a setting or the role changed). */
    public void poke() {
        try {
            loop.execute(this::reconcile);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // Closing.
        }
    }

    private void reconcile() {
        try {
            Want want = wanted();
            if (java.util.Objects.equals(want, running)) {
                return;
            }
            stop();
            if (want != null) {
                stream = new BackupStream(store, pipeline, want.dir(), want.nodeId(), want.epoch(), want.snapshotEvery(), want.retention(),
                        metrics);
                stream.start();
                LOG.info("backup: streaming to {} (snapshot every {}, keeping {})", want.dir(), want.snapshotEvery(), want.retention());
            }
            running = want;
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!why.equals(lastProblem)) {
                LOG.warn("backup: cannot stream: {}; fix backup.stream.* (tiyi system settings), retrying every 5 s", why);
                lastProblem = why;
            }
            return;
        }
        lastProblem = null;
    }

    private Want wanted() {
        ClusterState cs = cluster.get();
        String dir = settings.value("backup.stream.dir");
        if (cs == null || cs.role() != Role.PRIMARY || cs.readOnly() || dir.isEmpty()) {
            return null;
        }
        return new Want(Path.of(dir), cs.nodeId(), cs.epoch(), SettingDefinition.parseDuration(settings.value("backup.stream.snapshot_interval")),
                SettingDefinition.parseDuration(settings.value("backup.stream.retention")));
    }

    private void stop() {
        if (stream != null) {
            stream.close();
            stream = null;
            LOG.info("backup: streaming to {} stopped", running == null ? "" : running.dir());
        }
        running = null;
    }

    @Override
    public void close() {
        loop.shutdown();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
    }
}
