package io.tiyi.store;

import static io.tiyi.store.generated.Tables.CLUSTER_STATE;

import io.tiyi.TiyiException;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The control plane's {@code state.db}: SQLite in WAL mode, foreign keys on, a busy timeout.
 *
 * <p>One connection writes and is handed out to one caller at a time (the mutation pipeline, or
 * node-local updates such as {@code cluster_state}); a small pool of read-only connections
 * serves readers concurrently, which WAL allows without blocking the writer.
 */
public final class StateStore implements AutoCloseable {
    /** The database file name inside the state directory. */
    public static final String DB_FILE = "state.db";

    private final Path dir;
    private final Path dbFile;
    private final ConnectionPool writer;
    private final ConnectionPool readers;
    private final Settings jooqSettings = new Settings().withExecuteLogging(false).withRenderSchema(false);

    private StateStore(Path dir, Path dbFile, ConnectionPool writer, ConnectionPool readers) {
        this.dir = dir;
        this.dbFile = dbFile;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens (creating if needed, mode 0700) the state directory and its {@code state.db}. Does not
     * migrate: call {@link #migrate()} once the caller has checked what it needs to check first.
     */
    public static StateStore open(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new TiyiException("cannot create state directory " + dir + ": " + e.getMessage()
                    + "; check the path and permissions of state.dir / --state-dir");
        }
        if (!Files.isWritable(dir)) {
            throw new TiyiException("state directory " + dir + " is not writable by this user");
        }
        Path db = dir.resolve(DB_FILE);
        ConnectionPool w;
        ConnectionPool r;
        try {
            // The writer opens first so that the file and its WAL exist before read-only connections open.
            w = new ConnectionPool(dataSource(db, false), 1);
            w.warmUp();
            r = new ConnectionPool(dataSource(db, true), 4);
        } catch (SQLException | RuntimeException e) {
            throw new TiyiException("cannot open " + db + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: the directory's mode already keeps others out.
        }
        return new StateStore(dir, db, w, r);
    }

    private static SQLiteDataSource dataSource(Path db, boolean readOnly) {
        SQLiteConfig sc = new SQLiteConfig();
        sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sc.enforceForeignKeys(true);
        sc.setBusyTimeout(10_000);
        sc.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sc.setReadOnly(readOnly);
        SQLiteDataSource ds = new SQLiteDataSource(sc);
        ds.setUrl("jdbc:sqlite:" + db);
        return ds;
    }

    /**
     * Reads the KEK fingerprint state.db was written with, without changing anything, or empty
     * for a database that was never initialised.
     */
    public Optional<String> storedKekFingerprint() {
        try (Connection c = readers.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type='table' AND name='cluster_state'")) {
            if (!rs.next()) {
                return Optional.empty();
            }
        } catch (SQLException e) {
            throw new TiyiException("cannot read " + dbFile + ": " + e.getMessage(), e);
        }
        return read(db -> db.select(CLUSTER_STATE.KEK_FINGERPRINT).from(CLUSTER_STATE).fetchOptional(CLUSTER_STATE.KEK_FINGERPRINT));
    }

    /** Applies missing migrations; returns the schema version. */
    public int migrate() {
        try (Connection c = writer.getConnection()) {
            return Migrations.apply(c, dbFile.toString());
        } catch (SQLException e) {
            throw new TiyiException("cannot migrate " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code fn} on a read-only connection; it sees the last committed state. */
    public <T> T read(Function<DSLContext, T> fn) {
        try (Connection c = readers.getConnection()) {
            return fn.apply(DSL.using(c, SQLDialect.SQLITE, jooqSettings));
        } catch (SQLException e) {
            throw new TiyiException("cannot read " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code fn} in one write transaction on the single writer connection. Only the mutation
     * pipeline and node-local bookkeeping (cluster_state) call this; replicated state changes go
     * through {@link MutationPipeline}.
     */
    <T> T writeTx(Function<DSLContext, T> fn) {
        try (Connection c = writer.getConnection()) {
            DSLContext db = DSL.using(c, SQLDialect.SQLITE, jooqSettings);
            return db.transactionResult(cfg -> fn.apply(cfg.dsl()));
        } catch (SQLException e) {
            throw new TiyiException("cannot write " + dbFile + ": " + e.getMessage(), e);
        } catch (org.jooq.exception.DataAccessException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re && !(cause instanceof org.jooq.exception.DataAccessException)) {
                throw re;
            }
            throw new TiyiException("cannot write " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** The node's cluster_state row, or empty before first initialisation. */
    public Optional<ClusterState> clusterState() {
        return read(db -> db.selectFrom(CLUSTER_STATE).fetchOptional().map(r -> new ClusterState(
                r.getNodeId(), Role.fromWire(r.getRole()), r.getEpoch(), r.getReadOnly(), r.getKekFingerprint())));
    }

    /** Writes the first cluster_state row (first boot of a node). Refuses when one exists. */
    public ClusterState initClusterState(String nodeId, Role role, long epoch, String kekFingerprint) {
        long now = System.currentTimeMillis();
        writeTx(db -> {
            if (db.fetchExists(CLUSTER_STATE)) {
                throw new TiyiException(dbFile + " is already initialised");
            }
            return db.insertInto(CLUSTER_STATE)
                    .set(CLUSTER_STATE.ID, 1)
                    .set(CLUSTER_STATE.NODE_ID, nodeId)
                    .set(CLUSTER_STATE.ROLE, role.wireName())
                    .set(CLUSTER_STATE.EPOCH, epoch)
                    .set(CLUSTER_STATE.READ_ONLY, false)
                    .set(CLUSTER_STATE.KEK_FINGERPRINT, kekFingerprint)
                    .set(CLUSTER_STATE.CREATED_AT, now)
                    .set(CLUSTER_STATE.UPDATED_AT, now)
                    .execute();
        });
        return clusterState().orElseThrow();
    }

    /**
     * Makes a database restored from another node's snapshot this node's own: a new node id, the
     * secondary role, read-only; the epoch stays the one of the node it follows.
     */
    public ClusterState becomeSecondary(String nodeId) {
        writeTx(db -> db.update(CLUSTER_STATE).set(CLUSTER_STATE.NODE_ID, nodeId).set(CLUSTER_STATE.ROLE, Role.SECONDARY.wireName())
                .set(CLUSTER_STATE.READ_ONLY, true).set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute());
        return clusterState().orElseThrow();
    }

    /** Sets the read-only flag of this node (demotion); node-local, not a replicated mutation. */
    public void setReadOnly(boolean readOnly) {
        writeTx(db -> db.update(CLUSTER_STATE).set(CLUSTER_STATE.READ_ONLY, readOnly)
                .set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute());
    }

    /** Sets role and epoch; the epoch may never go down. */
    public void setRoleAndEpoch(Role role, long epoch) {
        writeTx(db -> {
            long current = db.select(CLUSTER_STATE.EPOCH).from(CLUSTER_STATE).fetchOne(CLUSTER_STATE.EPOCH);
            if (epoch < current) {
                throw new TiyiException("epoch may not go down: " + current + " -> " + epoch);
            }
            return db.update(CLUSTER_STATE).set(CLUSTER_STATE.ROLE, role.wireName()).set(CLUSTER_STATE.EPOCH, epoch)
                    .set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute();
        });
    }

    public Path dir() {
        return dir;
    }

    public Path dbFile() {
        return dbFile;
    }

    @Override
    public void close() {
        readers.close();
        writer.close();
    }
}
