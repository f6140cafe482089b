package io.tiyi.launcher.agent;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.TiyiNode;
import io.tiyi.TiyiNodeBuilder;
import io.tiyi.client.TiyiApiException;
import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.launcher.server.CommandLine;
import io.tiyi.launcher.server.NodeFlags;
import io.tiyi.launcher.server.Signals;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tiyi agent}: enrolls into a control plane once (with a single-use token), then runs the
 * agent's data plane from signed bundles until SIGTERM or SIGINT, shuts it down cleanly and
 * exits 0. Exit 1 when the agent cannot start (not enrolled and no token, token refused,
 * control plane unreachable at enrollment, bad configuration), 2 on a usage error, 75 after a release
 * rollout installed a new binary (the supervisor then starts {@code releases/current}).
 */
public final class AgentMain {
    /** Environment variable that may carry the enrollment token instead of {@code --enrollment-token}. */
    public static final String ENV_TOKEN = "TIYI_ENROLLMENT_TOKEN";
    /** Environment variable that may carry the control plane's API URL instead of {@code --api}. */
    public static final String ENV_API = "TIYI_API";
    private static final Logger LOG = LoggerFactory.getLogger("tiyi");

    @Parameter(names = "--api", description = "The control plane's API URL, for example http://10.0.0.1:8080 (or $TIYI_API). "
            + "Needed to enroll; afterwards the agent remembers it, and a different URL moves it there")
    private String api;

    @Parameter(names = "--enrollment-token", description = "Single-use token to enroll with (or $TIYI_ENROLLMENT_TOKEN); "
            + "print one with: tiyi agents issue-token --tag TAG. Not needed once the state directory holds the agent's identity")
    private String token;

    @ParametersDelegate
    private final NodeFlags node = new NodeFlags();

    @Parameter(names = "--addr", description = "Listener host:port for this agent's /healthz and /metrics (default: none)")
    private String addr;

    private AgentMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Runs the agent; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.getenv());
    }

    /** Runs the agent with {@code env} as its environment; returns the process exit code. */
    public static int run(String[] args, Map<String, String> env) {
        return run(args, env, System.out, System.err);
    }

    /** Runs the agent with {@code out} for its help and {@code err} for usage errors; returns the process exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        AgentMain opts = new AgentMain();
        String program = "tiyi agent";
        JCommander jc = JCommander.newBuilder().programName(program).addObject(opts).build();
        if (!CommandLine.parseDaemon(jc, program, args, () -> opts.addr, opts.node, err)) {
            return 2;
        }
        if (opts.node.help()) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(sb);
            out.print("Runs an agent: a data-plane node that enrolls with a control plane and serves its signed bundles.\n\n"
                    + "First start:  tiyi agent --api URL --enrollment-token TOKEN --state-dir DIR\n"
                    + "Later starts: tiyi agent --api URL --state-dir DIR\n\n" + sb + (sb.toString().endsWith("\n") ? "" : "\n"));
            return 0;
        }
        String apiUrl = firstNonBlank(opts.api, env.get(ENV_API));
        String enrollmentToken = firstNonBlank(opts.token, env.get(ENV_TOKEN));
        TiyiConfig cfg;
        TiyiNodeBuilder builder;
        try {
            cfg = opts.node.toConfig(env);
            builder = TiyiNode.builder().role(Role.AGENT).config(cfg).agentApi(apiUrl).enrollmentToken(enrollmentToken);
            if (opts.addr != null) {
                builder.adminAddress(HostPort.parse(opts.addr, "--addr").toString());
            }
        } catch (TiyiException e) {
            LOG.error("{}", e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        java.util.concurrent.atomic.AtomicBoolean upgrade = new java.util.concurrent.atomic.AtomicBoolean();
        builder.onRestartForUpgrade(() -> {
            upgrade.set(true);
            stop.countDown();
        });
        TiyiNode node;
        try {
            node = builder.build().start();
        } catch (TiyiApiException e) {
            // The only call an agent makes before it is up is its enrollment.
            LOG.error("the control plane at {} refused the enrollment: {}", apiUrl, e.getMessage());
            return 1;
        } catch (TiyiException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                LOG.error("cannot enroll: {}", e.getMessage());
            } else {
                LOG.error("{}", e.getMessage());
            }
            return 1;
        } catch (RuntimeException e) {
            LOG.error("agent failed to start: {}", e.toString(), e);
            return 1;
        }
        Signals.serveUntil(stop, node);
        if (upgrade.get()) {
            LOG.info("agent: stopped for the new binary; exit {} asks the supervisor to start releases/current",
                    io.tiyi.agent.BinaryUpdater.EXIT_RESTART);
            return io.tiyi.agent.BinaryUpdater.EXIT_RESTART;
        }
        return 0;
    }

    private static String firstNonBlank(String flag, String env) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        return env != null && !env.isBlank() ? env.trim() : null;
    }
}
