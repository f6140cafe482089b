package io.tiyi.certs;

import static io.tiyi.store.generated.Tables.CERTIFICATES;
import static io.tiyi.store.generated.Tables.SITES;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.crypto.Envelope;
import io.tiyi.internal.Json;
import io.tiyi.internal.Text;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.CertificatesRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** TLS certificates: import from PEM (the key sealed with the KEK), list, delete, and unseal for the data plane. */
public final class Certificates implements RpcService {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Envelope envelope;

    public Certificates(StateStore store, MutationPipeline pipeline, Envelope envelope) {
        this.store = store;
        this.pipeline = pipeline;
        this.envelope = envelope;
    }

    static String owner(String name, String fingerprint) {
        return Envelope.owner("certificates", name + "/" + fingerprint);
    }

    /**
     * Imports a certificate chain and key. Refused when the key does not match, or the
     * certificate has expired or is not yet valid.
     */
    public Certificate importPem(String actor, String name, String certPem, String keyPem) {
        Text.requirePlain("name", name);
        if (name == null || !NAME.matcher(name).matches()) {
            throw TiyiException.invalid("certificate name must be 1-64 characters of a-z, 0-9, '.', '_' or '-'; got '" + name + "'");
        }
        PemMaterial m = PemMaterial.parse(certPem, keyPem);
        long now = System.currentTimeMillis();
        long notAfter = m.leaf().getNotAfter().getTime();
        long notBefore = m.leaf().getNotBefore().getTime();
        if (notAfter <= now) {
            throw TiyiException.invalid("certificate " + PemMaterial.subject(m.leaf()) + " expired on " + m.leaf().getNotAfter().toInstant());
        }
        if (notBefore > now + 60_000) {
            throw TiyiException.invalid("certificate " + PemMaterial.subject(m.leaf()) + " is not valid before " + m.leaf().getNotBefore().toInstant());
        }
        byte[] pkcs8 = m.key().getEncoded();
        byte[] sealed = envelope.seal(owner(name, m.fingerprint()), pkcs8);
        Arrays.fill(pkcs8, (byte) 0);
        pipeline.apply(actor, new Import(name, m.chainPem(), sealed, m.sans(), PemMaterial.subject(m.leaf()),
                m.leaf().getIssuerX500Principal().getName(), notBefore, notAfter, m.fingerprint()));
        return get(name);
    }

    public List<Certificate> list() {
        return store.read(db -> db.selectFrom(CERTIFICATES).orderBy(CERTIFICATES.NAME).fetch(Certificates::view));
    }

    public Certificate get(String name) {
        return store.read(db -> db.selectFrom(CERTIFICATES).where(CERTIFICATES.NAME.eq(name)).fetchOptional(Certificates::view))
                .orElseThrow(() -> TiyiException.notFound("no certificate named '" + Text.escape(name) + "'"));
    }

    public void delete(String actor, String name) {
        Text.requirePlain("name", name);
        pipeline.apply(actor, new Delete(name));
    }

    /** The PKCS#8 private key of a stored certificate, unsealed. */
    public byte[] privateKey(CertificatesRecord r) {
        return envelope.open(owner(r.getName(), r.getFingerprint()), r.getPrivateKey());
    }

    static Certificate view(CertificatesRecord r) {
        return new Certificate(r.getName(), List.of(Json.read(r.getSans(), String[].class)), r.getSubject(), r.getIssuer(), r.getNotBefore(),
                r.getNotAfter(), r.getFingerprint(), PemMaterial.parseChain(r.getCertPem()).size(), r.getCreatedAt());
    }

    /** Stores (or replaces) a certificate; the key is already sealed. */
    public record Import(String name, String certPem, byte[] sealedKey, List<String> sans, String subject, String issuer, long notBefore,
            long notAfter, String fingerprint) implements Mutation<Void> {
        public static final String KIND = "certs.import";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().insertInto(CERTIFICATES)
                    .set(CERTIFICATES.NAME, name).set(CERTIFICATES.CERT_PEM, certPem).set(CERTIFICATES.PRIVATE_KEY, sealedKey)
                    .set(CERTIFICATES.SANS, Json.write(sans)).set(CERTIFICATES.SUBJECT, subject).set(CERTIFICATES.ISSUER, issuer)
                    .set(CERTIFICATES.NOT_BEFORE, notBefore).set(CERTIFICATES.NOT_AFTER, notAfter)
                    .set(CERTIFICATES.FINGERPRINT, fingerprint).set(CERTIFICATES.CREATED_AT, ctx.ts())
                    .onConflict(CERTIFICATES.NAME).doUpdate()
                    .set(CERTIFICATES.CERT_PEM, certPem).set(CERTIFICATES.PRIVATE_KEY, sealedKey).set(CERTIFICATES.SANS, Json.write(sans))
                    .set(CERTIFICATES.SUBJECT, subject).set(CERTIFICATES.ISSUER, issuer).set(CERTIFICATES.NOT_BEFORE, notBefore)
                    .set(CERTIFICATES.NOT_AFTER, notAfter).set(CERTIFICATES.FINGERPRINT, fingerprint)
                    .execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("certs.import", "certificate:" + name, Map.of("sans", sans, "fingerprint", fingerprint,
                    "not_after", notAfter));
        }

        @Override
        public String toString() {
            return "Import[name=" + name + ", sans=" + sans + "]";
        }
    }

    /** Deletes a certificate that no site pins. */
    public record Delete(String name) implements Mutation<Void> {
        public static final String KIND = "certs.delete";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            List<String> pinned = ctx.db().select(SITES.NAME).from(SITES).where(SITES.CERTIFICATE.eq(name)).fetch(SITES.NAME);
            if (!pinned.isEmpty()) {
                throw TiyiException.failedPrecondition("certificate '" + name + "' is pinned by site(s) " + pinned + "; unpin it first");
            }
            if (ctx.db().deleteFrom(CERTIFICATES).where(CERTIFICATES.NAME.eq(name)).execute() == 0) {
                throw TiyiException.notFound("no certificate named '" + name + "'");
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return AuditRecord.of("certs.delete", "certificate:" + name);
        }
    }

    @Override
    public void register(RpcRegistry registry) {
        CertificatesRpc.register(registry, this);
    }

    /** The mutation types of certificates. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(Import.class, Delete.class);
        }
    }
}
