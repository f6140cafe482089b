package io.tiyi.testsupport;

import io.tiyi.TiyiCluster;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link TiyiCluster} (primary, optional warm secondary, N agents) in a fresh directory.
 * Registered on an instance field it is started before and closed after each test; on a static
 * field, once for the class.
 *
 * <pre>
 * {@literal @}RegisterExtension
 * final ClusterExtension cluster = ClusterExtension.agents(2);
 * </pre>
 */
public final class ClusterExtension extends Lifecycle {
    private final int agents;
    private final boolean secondary;
    private final String jwtSecret;
    private Path root;
    private TiyiCluster cluster;

    private ClusterExtension(int agents, boolean secondary, String jwtSecret) {
        this.agents = agents;
        this.secondary = secondary;
        this.jwtSecret = jwtSecret;
    }

    /** A primary and {@code n} agents. */
    public static ClusterExtension agents(int n) {
        return new ClusterExtension(n, false, null);
    }

    /** Adds a warm secondary. */
    public ClusterExtension withSecondary() {
        return new ClusterExtension(agents, true, jwtSecret);
    }

    /** A JWT secret shared by the control-plane nodes, so tokens survive a failover. */
    public ClusterExtension withJwtSecret(String secret) {
        return new ClusterExtension(agents, secondary, secret);
    }

    @Override
    void start() {
        try {
            root = Files.createTempDirectory("tiyi-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TiyiCluster.Builder b = TiyiCluster.builder().root(root).secondary(secondary).agents(agents);
        if (jwtSecret != null) {
            b.jwtSecret(jwtSecret);
        }
        cluster = b.build().start();
    }

    @Override
    void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            cluster = null;
            TempDirs.delete(root);
            root = null;
        }
    }

    public TiyiCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster runs only while a test does");
        }
        return cluster;
    }

    /** The cluster's client against its current primary. */
    public TiyiClient client() {
        return cluster().client();
    }

    public TiyiNode primary() {
        return cluster().primary();
    }

    public TiyiNode agent(int i) {
        return cluster().agent(i);
    }

    /** The cluster's root directory, for tests that need a sibling directory of their own. */
    public Path root() {
        cluster();
        return root;
    }
}
