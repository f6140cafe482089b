package io.tiyi.launcher.server;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.tiyi.TiyiException;
import io.tiyi.TiyiNode;
import io.tiyi.TiyiNodeBuilder;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tiyi server} and {@code tiyi secondary}: run a control-plane node until SIGTERM or
 * SIGINT, then shut it down cleanly and exit 0. Exit 1 when the node cannot start, 2 on a usage
 * error. A node's role after its first start is the one in its state.db (promotions change it),
 * so either command restarts a node in the role it holds.
 */
public final class ServerMain {
    private static final Logger LOG = LoggerFactory.getLogger("tiyi");

    @Parameter(names = "--addr", description = "Admin listener host:port (API, UI, /healthz, /metrics). Default 127.0.0.1:8080")
    private String addr;

    @Parameter(names = "--advertise-url", description = "The URL other nodes reach this node's API at, http://host:port (default: from --addr;"
            + " for 0.0.0.0 the host's first site-local IPv4 address)")
    private String advertiseUrl;

    @ParametersDelegate
    private final NodeFlags node = new NodeFlags();

    /** What only {@code tiyi secondary} takes. */
    static final class SecondaryOptions {
        @Parameter(names = "--primary-api", description = "The primary's API, for example http://10.0.0.1:8080 (first start)")
        String primaryApi;

        @Parameter(names = "--enrollment-token", description = "Token from 'tiyi agents issue-token --tag secondary' on the primary (first start;"
                + " or $TIYI_ENROLLMENT_TOKEN)")
        String enrollmentToken;
    }

    private ServerMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a primary; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /** Runs a primary with {@code out} for its help and {@code err} for usage errors; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, null, out, err);
    }

    /** Runs a warm secondary ({@code tiyi secondary}); returns the process exit code. */
    public static int runSecondary(String[] args) {
        return runSecondary(args, System.out, System.err);
    }

    /** Runs a warm secondary with {@code out} for its help and {@code err} for usage errors; returns the process exit code. */
    public static int runSecondary(String[] args, PrintStream out, PrintStream err) {
        return run(args, new SecondaryOptions(), out, err);
    }

    private static int run(String[] args, SecondaryOptions secondary, PrintStream out, PrintStream err) {
        ServerMain opts = new ServerMain();
        String program = secondary == null ? "tiyi server" : "tiyi secondary";
        JCommander.Builder jb = JCommander.newBuilder().programName(program).addObject(opts);
        if (secondary != null) {
            jb.addObject(secondary);
        }
        JCommander jc = jb.build();
        if (!CommandLine.parseDaemon(jc, program, args, () -> opts.addr, opts.node, err)) {
            return 2;
        }
        if (opts.node.help()) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(sb);
            out.print((secondary == null ? "Runs a primary control-plane node." : "Runs a warm secondary: it replicates the primary,"
                    + " serves a read-only API, proxies traffic, and can be promoted with 'tiyi promote'.") + "\n\n" + sb);
            return 0;
        }
        TiyiConfig cfg;
        try {
            cfg = opts.toConfig();
        } catch (TiyiException e) {
            LOG.error("{}", e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        TiyiNode node;
        try {
            TiyiNodeBuilder b = TiyiNode.builder().config(cfg);
            if (secondary != null) {
                String token = secondary.enrollmentToken != null ? secondary.enrollmentToken : System.getenv("TIYI_ENROLLMENT_TOKEN");
                b.role(io.tiyi.cluster.Role.SECONDARY).primaryApi(secondary.primaryApi).enrollmentToken(token);
            }
            node = b.build().start();
        } catch (TiyiException e) {
            LOG.error("{}", e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            LOG.error("node failed to start: {}", e.toString(), e);
            return 1;
        }
        Signals.serveUntil(stop, node);
        return 0;
    }

    private TiyiConfig toConfig() {
        TiyiConfig cfg = node.toConfig(System.getenv());
        if (addr != null) {
            cfg = cfg.withServerAddr(HostPort.parse(addr, "--addr"));
        }
        if (advertiseUrl != null) {
            cfg = cfg.withAdvertiseUrl(advertiseUrl, "--advertise-url");
        }
        return cfg;
    }
}
