package io.tiyi.testsupport;

import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.config.TiyiConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A primary node on free loopback ports in a fresh state directory. Registered on an instance
 * field it is started before and closed after each test; on a static field, once for the class.
 *
 * <pre>
 * {@literal @}RegisterExtension
 * static final NodeExtension NODE = NodeExtension.primary();
 * </pre>
 */
public final class NodeExtension extends Lifecycle {
    private final UnaryOperator<TiyiConfig> settings;
    private Path stateDir;
    private TiyiNode node;

    private NodeExtension(UnaryOperator<TiyiConfig> settings) {
        this.settings = settings;
    }

    public static NodeExtension primary() {
        return new NodeExtension(UnaryOperator.identity());
    }

    /** Adjusts the node's configuration on top of {@link TestNodes#config}. */
    public NodeExtension withSetting(UnaryOperator<TiyiConfig> setting) {
        UnaryOperator<TiyiConfig> before = settings;
        return new NodeExtension(c -> setting.apply(before.apply(c)));
    }

    @Override
    void start() {
        try {
            stateDir = Files.createTempDirectory("tiyi-node-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        node = TiyiNode.builder().config(settings.apply(TestNodes.config(stateDir))).build().start();
    }

    @Override
    void stop() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            node = null;
            TempDirs.delete(stateDir);
            stateDir = null;
        }
    }

    public TiyiNode node() {
        if (node == null) {
            throw new IllegalStateException("the node runs only while a test does");
        }
        return node;
    }

    /** The node's client, authenticated with its local admin credential. */
    public TiyiClient client() {
        return node().client();
    }

    public String adminUrl() {
        return node().adminUrl();
    }

    public int dataPlanePort() {
        return node().httpAddress().getPort();
    }

    public Path stateDir() {
        node();
        return stateDir;
    }
}
