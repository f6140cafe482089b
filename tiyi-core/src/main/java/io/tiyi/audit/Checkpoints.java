package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;

import io.tiyi.bundle.Checkpoint;
import io.tiyi.bundle.SignedCheckpoint;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.EventLog;
import io.tiyi.store.StateStore;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jooq.Record2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed checkpoints of the audit chain: the primary signs {entry count, head hash, epoch, time,
 * node id} with the bundle signing key for every bundle it publishes and once a minute, whether or
 * not the chain moved. Agents keep the newest one they verified and report it back, so the chain's
 * head is held outside the node; each checkpoint also goes to the event log as an
 * {@code audit.checkpoint} audit event, and from there to the SIEM. Checkpoints are not entries of
 * the chain itself: that would move its head every minute.
 */
public final class Checkpoints implements AutoCloseable {
    /** The action of the audit event each checkpoint produces. */
    public static final String ACTION = "audit.checkpoint";
    /** How often a checkpoint is signed when no bundle is published. */
    public static final Duration EVERY = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    private final StateStore store;
    private final Function<Checkpoint, SignedCheckpoint> signer;
    private final String nodeId;
    private final LongSupplier epoch;
    private final BooleanSupplier primary;
    private final EventLog events;
    private final ScheduledExecutorService timer;
    private volatile SignedCheckpoint latest;

    /**
     * @param signer signs with the bundle signing key
     * @param nodeId this node's id
     * @param epoch this node's epoch now
     * @param primary whether this node is the read-write primary now: only it signs
     * @param events where each checkpoint is reported as an audit event
     */
    public Checkpoints(StateStore store, Function<Checkpoint, SignedCheckpoint> signer, String nodeId, LongSupplier epoch,
            BooleanSupplier primary, EventLog events) {
        this.store = store;
        this.signer = signer;
        this.nodeId = nodeId;
        this.epoch = epoch;
        this.primary = primary;
        this.events = events;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
    }

    /** Signs a checkpoint every {@link #EVERY} from now on. */
    public void start() {
        timer.scheduleAtFixedRate(() -> {
            try {
                signNow();
            } catch (RuntimeException e) {
                LOG.error("audit: cannot sign the audit checkpoint: {}; agents keep the previous one, retrying in {} s", e.toString(),
                        EVERY.toSeconds());
            }
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Signs a checkpoint of the chain as it is now, when this node is the primary.
     *
     * @return the newest checkpoint, null when none was ever signed here
     */
    public synchronized SignedCheckpoint signNow() {
        if (!primary.getAsBoolean()) {
            return latest;
        }
        Record2<Long, String> head = store.read(db -> db.select(AUDIT_LOG.ID, AUDIT_LOG.HASH).from(AUDIT_LOG).orderBy(AUDIT_LOG.ID.desc())
                .limit(1).fetchOne());
        Checkpoint c = new Checkpoint(head == null ? 0 : head.value1(), head == null ? AuditChain.GENESIS : head.value2(),
                epoch.getAsLong(), System.currentTimeMillis(), nodeId);
        SignedCheckpoint s = signer.apply(c);
        latest = s;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("count", c.count());
        details.put("head_hash", c.headHash());
        details.put("epoch", c.epoch());
        details.put("node_id", c.nodeId());
        details.put("signing_key", Ed25519KeyPair.fingerprint(s.signingKey()));
        details.put("signature", Base64.getEncoder().encodeToString(s.signature()));
        events.offer(new AuditLogEvent(c.ts(), 0, "system", ACTION, "audit_chain", details));
        return s;
    }

    /** The newest checkpoint signed here, or null. */
    public SignedCheckpoint latest() {
        return latest;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
