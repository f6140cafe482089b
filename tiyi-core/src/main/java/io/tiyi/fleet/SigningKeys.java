package io.tiyi.fleet;

import static io.tiyi.store.generated.Tables.BUNDLE_SIGNING_KEY;

import io.tiyi.TiyiException;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.Envelope;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.BundleSigningKeyRecord;
import java.util.Arrays;
import java.util.Optional;

/** The bundle signing key: an ed25519 key pair in the singleton {@code bundle_signing_key} row, private half sealed with the KEK. */
public final class SigningKeys {
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Envelope envelope;

    /** The key in {@code store}, changed through {@code pipeline}, its private half sealed by {@code envelope}. */
    public SigningKeys(StateStore store, MutationPipeline pipeline, Envelope envelope) {
        this.store = store;
        this.pipeline = pipeline;
        this.envelope = envelope;
    }

    /** The envelope owner that binds the sealed private key to its row and public key. */
    static String owner(String fingerprint) {
        return Envelope.owner("bundle_signing_key", "1/" + fingerprint);
    }

    /** Generates and stores the signing key when there is none; returns its fingerprint. */
    public String ensure() {
        Optional<String> existing = store.read(db -> db.select(BUNDLE_SIGNING_KEY.FINGERPRINT).from(BUNDLE_SIGNING_KEY)
                .fetchOptional(BUNDLE_SIGNING_KEY.FINGERPRINT));
        if (existing.isPresent()) {
            return existing.get();
        }
        return install("system");
    }

    /**
     * Replaces the signing key with a new one. Agents pinned to the old key refuse every bundle
     * signed with the new one until they are re-enrolled.
     *
     * @return the new key's fingerprint
     */
    String rotate(String actor) {
        return install(actor);
    }

    /** Generates a key pair and stores it, the private half sealed with the KEK; returns its fingerprint. */
    private String install(String actor) {
        Ed25519KeyPair kp = Ed25519KeyPair.generate();
        byte[] pub = kp.publicKey();
        String fp = Ed25519KeyPair.fingerprint(pub);
        byte[] raw = kp.privateKeyBytes();
        byte[] sealed = envelope.seal(owner(fp), raw);
        Arrays.fill(raw, (byte) 0);
        pipeline.apply(actor, new SetSigningKey(pub, sealed, fp));
        return fp;
    }

    /** Loads and unseals the signing key. */
    public Ed25519KeyPair load() {
        BundleSigningKeyRecord r = store.read(db -> db.selectFrom(BUNDLE_SIGNING_KEY).fetchOne());
        if (r == null) {
            throw new TiyiException("state.db has no bundle signing key");
        }
        byte[] raw = envelope.open(owner(r.getFingerprint()), r.getPrivateKey());
        Ed25519KeyPair kp = Ed25519KeyPair.fromPrivate(raw);
        Arrays.fill(raw, (byte) 0);
        if (!Arrays.equals(kp.publicKey(), r.getPublicKey())) {
            throw new TiyiException("bundle_signing_key row is inconsistent: private key does not match public key");
        }
        return kp;
    }
}
