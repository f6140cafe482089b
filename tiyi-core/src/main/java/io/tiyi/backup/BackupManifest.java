package io.tiyi.backup;

import java.util.List;

/**
 * What a backup holds and where it was taken: written as {@code manifest.json} beside the
 * members, checked by {@code tiyi backup verify} and before every restore.
 *
 * @param format the manifest format, {@value #FORMAT}
 * @param created when the snapshot was taken, RFC 3339 UTC
 * @param nodeId the node it was taken on
 * @param role the node's role then
 * @param epoch its epoch
 * @param lastSeq the last mutation seq in the snapshot
 * @param auditEntries entries in the audit chain
 * @param auditHead the audit chain's head hash
 * @param kekFingerprint the fingerprint of the KEK state.db was written with
 * @param kekIncluded whether kek.bin is in the backup (not with {@code --without-kek})
 * @param snapshotMillis how long the snapshot took (mutations were never held for it)
 * @param members every file with its size and SHA-256
 */
public record BackupManifest(int format, String created, String nodeId, String role, long epoch, long lastSeq, long auditEntries,
        String auditHead, String kekFingerprint, boolean kekIncluded, long snapshotMillis, List<Member> members) {
    public static final int FORMAT = 1;

    public BackupManifest {
        members = List.copyOf(members);
    }

    /**
     * One file of the backup.
     *
     * @param name its name in the backup
     * @param size bytes
     * @param sha256 lowercase hex
     */
    public record Member(String name, long size, String sha256) {}
}
