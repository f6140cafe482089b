package io.tiyi.bundle;

import io.tiyi.proxy.UpstreamHealth;
import java.util.List;

/**
 * What an agent tells the control plane about itself, on every change and every heartbeat.
 *
 * @param epochSeen the highest epoch it has seen in a bundle
 * @param bundleEpoch epoch of the bundle it runs, 0 before its first
 * @param bundleSeq seq of the bundle it runs
 * @param health {@code ok}, or what is wrong (for example the reason the last bundle was refused)
 * @param binaryVersion the Tiyi version it runs
 * @param os operating system, for example {@code linux}
 * @param arch architecture, for example {@code amd64}
 * @param uptimeSeconds since it started
 * @param address the data plane address it serves on (its HTTP listener)
 * @param refused the reason of the last refused bundle, or null
 * @param nodeApi for the agent embedded in a control-plane node, that node's API URL; else null
 * @param following the control-plane API the agent takes its bundles from
 * @param originBypassAttempts requests since the last report that claimed a client address through an untrusted peer
 * @param originBypassSample the last of them, as {@code peer -> host}, or null
 * @param rollout where it is in its latest binary rollout, or null
 * @param upstreams the state of every upstream target of the configuration it serves; empty from
 *     agents older than this field, which do not send it
 * @param checkpoint the newest audit checkpoint the agent verified and keeps, or null; left out of
 *     the JSON when null, so that control planes that do not know the field still take the report
 */
public record AgentReport(long epochSeen, long bundleEpoch, long bundleSeq, String health, String binaryVersion, String os, String arch,
        long uptimeSeconds, String address, String refused, String nodeApi, String following, long originBypassAttempts,
        String originBypassSample, Rollout rollout, List<UpstreamHealth> upstreams,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) SignedCheckpoint checkpoint) {
    public AgentReport {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
    }

    /**
     * An agent's progress on a rollout command.
     *
     * @param rolloutId the rollout
     * @param state {@code downloading}, {@code verified}, {@code restarting}, {@code healthy} or {@code failed}
     * @param reason why it failed, or null
     */
    public record Rollout(long rolloutId, String state, String reason) {}
}
