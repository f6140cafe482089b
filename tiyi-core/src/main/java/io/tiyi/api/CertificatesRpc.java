package io.tiyi.api;

import io.tiyi.certs.Certificate;
import io.tiyi.certs.Certificates;
import java.util.List;

/** {@code tiyi.v1.CertificatesService}: TLS certificates; keys go in and never come out. */
final class CertificatesRpc {
    static final String SERVICE = "CertificatesService";

    record ImportRequest(String name, String certPem, String keyPem) {
        @Override
        public String toString() {
            return "ImportRequest[name=" + name + "]";
        }
    }

    record NameRequest(String name) {}

    record CertificateList(List<Certificate> certificates) {}

    private CertificatesRpc() {}

    static void register(RpcRegistry r, Certificates certs) {
        r.query(SERVICE, "List", Access.VIEWER, Empty.class, (ctx, q) -> new CertificateList(certs.list()));
        r.query(SERVICE, "Get", Access.VIEWER, NameRequest.class, (ctx, q) -> certs.get(q.name()));
        r.mutation(SERVICE, "Import", Access.OPERATOR, ImportRequest.class,
                (ctx, q) -> certs.importPem(ctx.actor(), q.name(), q.certPem(), q.keyPem()));
        r.mutation(SERVICE, "Delete", Access.OPERATOR, NameRequest.class, (ctx, q) -> {
            certs.delete(ctx.actor(), q.name());
            return Empty.INSTANCE;
        });
    }
}
