package io.tiyi.cluster;

/**
 * A node's persisted place in the cluster (the {@code cluster_state} row).
 *
 * @param nodeId stable random id of this node
 * @param role what the node does now
 * @param epoch the fencing epoch: starts at 1, only ever grows, bumped by each promotion
 * @param readOnly true once the node was demoted or fenced; mutations are refused
 * @param kekFingerprint fingerprint of the KEK that state.db's secrets are sealed with
 */
public record ClusterState(String nodeId, Role role, long epoch, boolean readOnly, String kekFingerprint) {}
