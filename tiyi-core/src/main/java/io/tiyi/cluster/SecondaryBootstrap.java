package io.tiyi.cluster;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.crypto.Kek;
import io.tiyi.internal.Backoff;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new secondary's first boot: it checks that it holds the primary's KEK, downloads the
 * primary's snapshot by range into a partial file (resuming after a cut), verifies its size and
 * SHA-256, and only then enrolls with the primary as an agent tagged {@code secondary} and puts
 * the snapshot in place as its state.db. Until the enrollment the enrollment token only
 * authorizes the download: a KEK mismatch or a failed transfer spends no token and leaves no
 * enrolled agent behind, and the next start resumes the download.
 */
final class SecondaryBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SecondaryBootstrap.class);
    /**
     * Attempts in a row that fetch nothing before a start gives up (the next start resumes the
     * partial file); an attempt that fetched something starts the count again.
     */
    static final int ATTEMPTS = 8;
    private static final String PART_PREFIX = StateStore.DB_FILE + ".seed-";

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
        TiyiClient primary = TiyiClient.of(route.apply(primaryApi), null, Duration.ofMinutes(2));
        Path part = download(primary, primaryApi, enrollmentToken, local.fingerprint(), kekPath, dir);
        AgentFiles files = new AgentFiles(dir.resolve("agent"));
        AgentFiles.Identity id = files.identity().orElse(null);
        if (id == null) {
            AgentRuntime enrolling = new AgentRuntime(files, null, new MetricRegistry());
            enrolling.route(route);
            id = enroll(enrolling, primaryApi, enrollmentToken);
        }
        if (!io.tiyi.api.AgentIdentity.SECONDARY_TAG.equals(id.tag())) {
            throw TiyiException.invalid("the enrollment token was issued with tag '" + id.tag() + "'; a secondary needs one issued with"
                    + " --tag secondary. This state directory now holds an agent identity: empty it and start again with a new token");
        }
        try {
            Files.move(part, dir.resolve(StateStore.DB_FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TiyiException("cannot put the primary's snapshot " + part + " in place as " + dir.resolve(StateStore.DB_FILE) + ": "
                    + e.getMessage());
        }
    }

    /** Enrolls, retrying while the primary cannot be reached (a refusal by the primary is final). */
    private static AgentFiles.Identity enroll(AgentRuntime enrolling, String primaryApi, String token) {
        Backoff backoff = Backoff.jittered(Duration.ofMillis(500), Duration.ofSeconds(10));
        for (int attempt = 1;; attempt++) {
            try {
                return enrolling.enroll(primaryApi, token);
            } catch (TiyiApiException refused) {
                throw refused;
            } catch (TiyiException e) {
                if (attempt >= ATTEMPTS) {
                    throw new TiyiException("cannot enroll with the primary at " + primaryApi + " (" + e.getMessage() + "); the verified snapshot"
                            + " is kept: start again to enroll and use it", e);
                }
                LOG.warn("cluster: enrolling with {} failed (attempt {} of {}): {}; retrying", primaryApi, attempt, ATTEMPTS, e.getMessage());
                try {
                    Thread.sleep(backoff.failed());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The verified snapshot in its partial file, fetched with the unspent token. */
    private static Path download(TiyiClient primary, String primaryApi, String token, String kek, Path kekPath, Path dir) {
        Backoff backoff = Backoff.jittered(Duration.ofMillis(500), Duration.ofSeconds(10));
        TransferAttempts attempts = new TransferAttempts(ATTEMPTS);
        ReplicationService.SnapshotResponse snap = null;
        String lastError = null;
        String theirKek = null;
        long resumedAt = -1;
        while (true) {
            Path part = null;
            long before = 0;
            boolean paced = false;
            try {
                if (snap == null) {
                    snap = primary.call(ReplicationService.SEED_SNAPSHOT, new ReplicationService.SeedRequest(token));
                    if (!snap.kekFingerprint().equals(kek)) {
                        theirKek = snap.kekFingerprint();
                        break;
                    }
                }
                part = dir.resolve(PART_PREFIX + snap.sha256().substring(0, 16) + ".part");
                removeOtherParts(dir, part);
                before = sizeOf(part);
                if (resumedAt < 0) {
                    resumedAt = before;
                }
                String id = snap.id();
                RangeDownload.complete(part, snap.size(), snap.sha256(),
                        (offset, length) -> primary.bytes(ReplicationService.SEED_RANGE, new ReplicationService.SeedRangeRequest(token, id, offset,
                                length)));
                LOG.info("cluster: downloaded a snapshot of {} at seq {} ({} bytes{}), verified SHA-256 {}", primaryApi, snap.seq(), snap.size(),
                        resumedAt > 0 && resumedAt < snap.size() ? ", resumed at byte " + resumedAt : "", snap.sha256().substring(0, 12));
                return part;
            } catch (TiyiApiException e) {
                if (e.httpStatus() == 401 || e.httpStatus() == 403) {
                    throw new TiyiException("the primary at " + primaryApi + " refused the enrollment token: " + e.getMessage());
                }
                if (e.httpStatus() == 404) {
                    // The primary dropped that snapshot (restart, idle timeout): ask for a new one.
                    snap = null;
                }
                paced = e.httpStatus() == 429;
                lastError = e.getMessage();
            } catch (IOException | TiyiException e) {
                lastError = e.getMessage();
            }
            long fetched = part == null ? 0 : sizeOf(part) - before;
            if (!attempts.failed(fetched)) {
                break;
            }
            if (fetched > 0) {
                backoff.succeeded();
            }
            if (paced && fetched > 0) {
                // The primary paces seeding secondaries with its limit on unauthenticated calls: expected on a large snapshot.
                LOG.debug("cluster: snapshot download from {} paced by the primary after {} more bytes: {}", primaryApi, fetched, lastError);
            } else if (fetched > 0) {
                LOG.warn("cluster: snapshot download from {} stopped after {} more bytes: {}; retrying, from where it stopped", primaryApi,
                        fetched, lastError);
            } else {
                LOG.warn("cluster: snapshot download from {} failed ({} of at most {} attempts in a row without progress): {}; retrying, from"
                        + " where it stopped", primaryApi, attempts.withoutProgress(), attempts.limit(), lastError);
            }
            try {
                Thread.sleep(backoff.failed());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (theirKek != null) {
            throw new TiyiException("KEK mismatch: the primary's KEK is " + theirKek + " but " + kekPath + " is " + kek + "; copy the primary's"
                    + " KEK file to " + kekPath + " (mode 0600) and start again (nothing was restored, the enrollment token was not used)");
        }
        throw new TiyiException("cannot download the primary's snapshot from " + primaryApi + " (" + lastError + "); the enrollment token was not"
                + " used and the partial download is kept in " + dir + ": start again to resume it");
    }

    /** The partial file's length, 0 when it is missing or cannot be read. */
    private static long sizeOf(Path part) {
        try {
            return Files.exists(part) ? Files.size(part) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** A partial download of another snapshot can never complete: the primary serves a new one now. */
    private static void removeOtherParts(Path dir, Path keep) throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, PART_PREFIX + "*.part")) {
            for (Path p : parts) {
                if (!p.equals(keep)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
