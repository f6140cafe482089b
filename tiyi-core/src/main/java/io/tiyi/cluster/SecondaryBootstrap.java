package io.tiyi.cluster;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.crypto.Kek;
import io.tiyi.store.StateStore;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new secondary's first boot: it enrolls with the primary as an agent tagged {@code secondary},
 * checks that it holds the primary's KEK, and restores the primary's snapshot as its state.db.
 */
final class SecondaryBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SecondaryBootstrap.class);

    private SecondaryBootstrap() {}

    static void run(Optional<Path> kekFile, String primaryApi, String enrollmentToken, UnaryOperator<String> route, Path dir) {
        if (primaryApi == null) {
            throw TiyiException.invalid("a new secondary needs --primary-api URL and --enrollment-token TOKEN (tiyi agents issue-token --tag"
                    + " secondary on the primary)");
        }
        Path kekPath = kekFile.orElse(dir.resolve(Kek.FALLBACK_FILE));
        if (!Files.exists(kekPath)) {
            throw new TiyiException("a secondary must hold the primary's KEK, and " + kekPath + " does not exist: copy the primary's KEK file"
                    + " there (mode 0600) or set crypto.kek_file to a copy of it; nothing was changed");
        }
        Kek local = Kek.load(kekPath);
        AgentRuntime enrolling = new AgentRuntime(new AgentFiles(dir.resolve("agent")), null, new MetricRegistry());
        enrolling.route(route);
        AgentFiles.Identity id = enrolling.enroll(primaryApi, enrollmentToken);
        if (!io.tiyi.api.AgentIdentity.SECONDARY_TAG.equals(id.tag())) {
            throw TiyiException.invalid("the enrollment token was issued with tag '" + id.tag() + "'; a secondary needs one issued with"
                    + " --tag secondary. This state directory now holds an agent identity: empty it and start again with a new token");
        }
        ReplicationService.SnapshotResponse snap = TiyiClient.of(route.apply(primaryApi), id.credential(), Duration.ofMinutes(5))
                .call(ReplicationService.SNAPSHOT, Empty.INSTANCE);
        String theirs = snap.kekFingerprint();
        if (!theirs.equals(local.fingerprint())) {
            throw new TiyiException("KEK mismatch: the primary's KEK is " + theirs + " but " + kekPath + " is " + local.fingerprint()
                    + "; copy the primary's KEK file to " + kekPath + " (mode 0600) and start again (nothing was restored)");
        }
        byte[] db = snap.db();
        try {
            Path tmp = dir.resolve(StateStore.DB_FILE + ".restore");
            Files.deleteIfExists(tmp);
            PrivateFiles.write(tmp, db);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(StateStore.DB_FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TiyiException("cannot write the primary's snapshot into " + dir + ": " + e.getMessage());
        }
        LOG.info("cluster: restored a snapshot of {} at seq {} ({} bytes)", primaryApi, snap.seq(), db.length);
    }
}
