package io.tiyi.bundle;

import io.tiyi.proxy.RuntimeConfig;
import java.util.List;
import java.util.Map;

/**
 * The complete data-plane configuration of one agent, as the control plane signs it.
 *
 * @param format the bundle format, {@value #FORMAT}
 * @param epoch the control plane's epoch when it was compiled
 * @param seq the mutation seq it was compiled from; {@code (epoch, seq)} is the version
 * @param agentId the agent it was compiled for (its secrets are sealed to that agent)
 * @param createdAt when it was compiled, ms
 * @param runtime the data plane's configuration, with every TLS private key removed
 * @param sealedKeys TLS private keys by certificate name, each sealed to the agent's X25519 key
 * @param rules the rule set in force, by content hash ({@code null} hash for the built-in rules)
 * @param endpoints every control-plane API endpoint the agent may talk to
 * @param commands commands for this agent, oldest first
 */
public record Bundle(int format, long epoch, long seq, String agentId, long createdAt, RuntimeConfig runtime, Map<String, byte[]> sealedKeys,
        RulesRef rules, List<String> endpoints, List<AgentCommand> commands) {
    public static final int FORMAT = 1;

    public Bundle {
        sealedKeys = Map.copyOf(sealedKeys);
        endpoints = List.copyOf(endpoints);
        commands = List.copyOf(commands);
    }

    /**
     * A rule set by content.
     *
     * @param kind {@code crs} or {@code builtin}
     * @param hash {@code sha256:<hex>} of the rule archive, or null for the built-in rules
     * @param size bytes of the compressed archive
     */
    public record RulesRef(String kind, String hash, long size) {}

    /**
     * A command the control plane wants an agent to run.
     *
     * @param id unique id
     * @param type what to do
     * @param args its arguments
     */
    public record AgentCommand(String id, String type, Map<String, String> args) {
        /** Download, verify and switch to a release's binary, then exit for the supervisor's restart. */
        public static final String APPLY_BINARY = "APPLY_BINARY";
        /** Switch back to the binary that ran before the last apply. */
        public static final String ROLLBACK_BINARY = "ROLLBACK_BINARY";
    }

    /** {@code epoch.seq}, as logs and the CLI show versions. */
    public String version() {
        return epoch + "." + seq;
    }

    /** Compares {@code (epoch, seq)} versions. */
    public static int compare(long epochA, long seqA, long epochB, long seqB) {
        return epochA != epochB ? Long.compare(epochA, epochB) : Long.compare(seqA, seqB);
    }

    /** The associated data that binds a sealed key to its agent and certificate. */
    public static byte[] sealedKeyContext(String agentId, String certificate) {
        return ("tiyi bundle tls key/" + agentId + "/" + certificate).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
