package io.tiyi;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.config.TiyiConfig;
import io.tiyi.events.EventLog;
import io.tiyi.proxy.DataPlane;
import io.tiyi.waf.injection.Sqli;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The data plane every node runs: the proxy's listeners, and the agent that enrolls once and then
 * feeds them signed bundles. A separate agent is this alone; a control-plane node embeds one whose
 * control plane is the node itself.
 */
final class DataPlaneNode {
    private final DataPlane proxy;
    private final AgentFiles files;
    private final AgentRuntime agent;

    /**
     * @param agentDir where the agent keeps its identity, pin and last good bundle
     * @param health the node's {@code /healthz}, answered on the data-plane listeners too
     * @param route how the agent reaches control-plane URLs
     */
    DataPlaneNode(TiyiConfig config, MetricRegistry metrics, EventLog events, HttpHandler health, Path agentDir, UnaryOperator<String> route) {
        this.proxy = new DataPlane(metrics, events, config.proxy().httpAddr(), config.proxy().httpsAddr(), health, Function.identity());
        this.files = new AgentFiles(agentDir);
        this.agent = new AgentRuntime(files, proxy, metrics);
        agent.route(route);
    }

    /** Every role runs a data plane: one whose WAF cannot detect anything must not report ready. */
    static void requireDetectors() {
        try {
            Sqli.preload();
        } catch (IllegalStateException e) {
            throw new TiyiException("the WAF cannot load its detectors: " + e.getMessage() + "; the node does not start");
        }
    }

    DataPlane proxy() {
        return proxy;
    }

    AgentRuntime agent() {
        return agent;
    }

    /** Whether the agent holds an identity already (it enrolled before). */
    boolean enrolled() {
        return files.identity().isPresent();
    }

    /** The version (mutation seq) of the configuration the proxy runs; 0 before the first. */
    long runtimeVersion() {
        return proxy.current() == null ? 0 : proxy.current().version();
    }

    /** Waits until the proxy runs configuration version {@code seq} or later; false if it did not within {@code timeout}. */
    boolean await(long seq, Duration timeout) throws InterruptedException {
        var reached = proxy.reached(seq);
        try {
            reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } finally {
            reached.cancel(false);
        }
    }

    InetSocketAddress httpAddress() {
        return proxy.httpAddress().orElseThrow();
    }

    Optional<InetSocketAddress> httpsAddress() {
        return proxy.httpsAddress();
    }

    /** Stops following the control plane; the listeners keep serving until {@link #close}. */
    void stopAgent() {
        agent.close();
    }

    /** Closes the listeners, after {@link #stopAgent}, letting requests under way finish for up to {@code drainMs}. */
    void close(long drainMs) {
        proxy.close(drainMs);
    }
}
