package io.tiyi.bundle;

/**
 * The head of the primary's audit chain at one moment, as the primary signs it for agents to
 * keep: a copy of the chain's state that lives outside the node, so that cutting the newest
 * entries off state.db (from both the audit chain and {@code mutation_log}) is still found out.
 *
 * @param count how many entries the chain had
 * @param headHash the hash of entry {@code count} ({@code 0…0} for an empty chain)
 * @param epoch the primary's epoch
 * @param ts when it was signed, ms
 * @param nodeId the primary that signed it
 */
public record Checkpoint(long count, String headHash, long epoch, long ts, String nodeId) {
    public Checkpoint {
        if (count < 0) {
            throw new IllegalArgumentException("checkpoint count must be 0 or more, got " + count);
        }
        java.util.Objects.requireNonNull(headHash, "head_hash");
    }

    /** {@code #count head…} for logs. */
    public String brief() {
        return "#" + count + " (head " + headHash.substring(0, Math.min(16, headHash.length())) + "…, epoch " + epoch + ")";
    }
}
