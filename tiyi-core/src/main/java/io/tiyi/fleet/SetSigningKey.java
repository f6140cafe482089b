package io.tiyi.fleet;

import static io.tiyi.store.generated.Tables.BUNDLE_SIGNING_KEY;

import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import java.util.Map;

/**
 * Installs the bundle signing key (first boot, or rotation). The private key travels only sealed
 * with the KEK.
 *
 * @param publicKey raw ed25519 public key
 * @param sealedPrivateKey the private key sealed by {@link io.tiyi.crypto.Envelope}
 * @param fingerprint the public key's fingerprint
 */
public record SetSigningKey(byte[] publicKey, byte[] sealedPrivateKey, String fingerprint) implements Mutation<Void> {
    public static final String KIND = "bundles.set_signing_key";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Void apply(MutationContext ctx) {
        ctx.db().deleteFrom(BUNDLE_SIGNING_KEY).execute();
        ctx.db().insertInto(BUNDLE_SIGNING_KEY)
                .set(BUNDLE_SIGNING_KEY.ID, 1)
                .set(BUNDLE_SIGNING_KEY.ALGORITHM, "ed25519")
                .set(BUNDLE_SIGNING_KEY.PUBLIC_KEY, publicKey)
                .set(BUNDLE_SIGNING_KEY.PRIVATE_KEY, sealedPrivateKey)
                .set(BUNDLE_SIGNING_KEY.FINGERPRINT, fingerprint)
                .set(BUNDLE_SIGNING_KEY.CREATED_AT, ctx.ts())
                .execute();
        return null;
    }

    @Override
    public AuditRecord audit() {
        return new AuditRecord("bundles.signing_key_set", "bundle_signing_key", Map.of("fingerprint", fingerprint));
    }
}
