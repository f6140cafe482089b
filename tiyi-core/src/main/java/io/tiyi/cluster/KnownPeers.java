package io.tiyi.cluster;

import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a read-write primary knew of its cluster, kept in {@code cluster-peers.json} in the state
 * directory so that the start fence of its next start has something to ask: agents' reports live
 * in memory only, and the embedded agent's last bundle may be gone.
 */
final class KnownPeers {
    static final String FILE = "cluster-peers.json";
    private static final Logger LOG = LoggerFactory.getLogger(KnownPeers.class);

    /**
     * One snapshot of the cluster as the primary saw it.
     *
     * @param self this node's own advertised API URL then: its last bundle names it, and after a restart on another
     *     address it must not be taken for a peer that does not answer
     * @param controlPlane the other control-plane nodes' API URLs
     * @param agents the separate agents (not embedded in a control-plane node) that reported within the last minute
     */
    record Snapshot(String self, List<String> controlPlane, List<String> agents) {
        static final Snapshot NONE = new Snapshot(null, List.of(), List.of());

        Snapshot {
            controlPlane = controlPlane == null ? List.of() : List.copyOf(controlPlane);
            agents = agents == null ? List.of() : List.copyOf(agents);
        }
    }

    private final Path file;
    private Snapshot saved;

    KnownPeers(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** What the last save kept; none when there is no file or it cannot be read (said in a WARNING). */
    synchronized Snapshot load() {
        if (!Files.isRegularFile(file)) {
            return Snapshot.NONE;
        }
        try {
            saved = Json.MAPPER.readValue(file.toFile(), Snapshot.class);
            return saved;
        } catch (IOException e) {
            LOG.warn("cluster: {} cannot be read ({}); the start fence asks only the peers of the last bundle; it is rewritten while this"
                    + " node is the read-write primary", file, e.getMessage());
            return Snapshot.NONE;
        }
    }

    /** Keeps {@code now} unless it is what the file holds already; a failed write is logged and retried on the next save. */
    synchronized void save(Snapshot now) {
        if (Objects.equals(now, saved)) {
            return;
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            PrivateFiles.write(tmp, Json.MAPPER.writeValueAsBytes(now));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            saved = now;
        } catch (IOException e) {
            LOG.warn("cluster: cannot write {} ({}); after a restart this node may not know its peers; check the state directory's"
                    + " free space and permissions", file, e.getMessage());
        }
    }
}
