package io.tiyi.launcher.server;

import com.beust.jcommander.Parameter;
import io.tiyi.config.ConfigLoader;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The flags every node launcher takes, and the configuration they make with the file and the environment. */
public final class NodeFlags {
    @Parameter(names = "--state-dir", description = "State directory. Default ./data or $TIYI_STATE_DIR")
    private String stateDir;

    @Parameter(names = "--config", description = "YAML configuration file")
    private String config;

    @Parameter(names = "--http-addr", description = "Data-plane HTTP listener host:port of this node (default: the proxy.http_addr setting,"
            + " 127.0.0.1:8000)")
    private String httpAddr;

    @Parameter(names = "--https-addr", description = "Data-plane HTTPS listener host:port of this node, opened once a certificate exists "
            + "(default: the proxy.https_addr setting, 127.0.0.1:8443)")
    private String httpsAddr;

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
    private boolean help;

    public boolean help() {
        return help;
    }

    /** Refuses a data-plane listener flag that is no {@code host:port}, as a usage error of {@code program}. */
    public void requireAddresses(String program) {
        CommandLine.requireHostPort("--http-addr", httpAddr, program);
        CommandLine.requireHostPort("--https-addr", httpsAddr, program);
    }

    /** The configuration file (or defaults), then the environment, then these flags. */
    public TiyiConfig toConfig(Map<String, String> env) {
        TiyiConfig cfg = ConfigLoader.load(Optional.ofNullable(config).map(Path::of), env);
        if (stateDir != null) {
            cfg = cfg.withStateDir(Path.of(stateDir));
        }
        if (httpAddr != null) {
            cfg = cfg.withHttpAddr(HostPort.parse(httpAddr, "--http-addr"));
        }
        if (httpsAddr != null) {
            cfg = cfg.withHttpsAddr(HostPort.parse(httpsAddr, "--https-addr"));
        }
        return cfg;
    }
}
