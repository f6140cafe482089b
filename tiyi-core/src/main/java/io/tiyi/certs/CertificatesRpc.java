package io.tiyi.certs;

import io.tiyi.api.Access;
import io.tiyi.api.Empty;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcRegistry;
import java.util.List;
import java.util.stream.Stream;

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

    /** {@code filter} matches a name, a DNS name, the subject or the issuer. */
    record ListRequest(String filter, Integer offset, Integer limit) {}

    record CertificateList(List<Certificate> certificates, int total) {}

    private CertificatesRpc() {}

    static void register(RpcRegistry r, Certificates certs) {
        r.query(SERVICE, "List", Access.VIEWER, ListRequest.class, (ctx, q) -> {
            Paging.Page<Certificate> p = Paging.page(certs.list(), q.filter(), q.offset(), q.limit(),
                    c -> Stream.concat(Stream.of(c.name(), c.subject(), c.issuer()), Paging.each(c.sans())));
            return new CertificateList(p.items(), p.total());
        });
        r.query(SERVICE, "Get", Access.VIEWER, NameRequest.class, (ctx, q) -> certs.get(q.name()));
        r.mutation(SERVICE, "Import", Access.OPERATOR, ImportRequest.class,
                (ctx, q) -> certs.importPem(ctx.actor(), q.name(), q.certPem(), q.keyPem()));
        r.mutation(SERVICE, "Delete", Access.OPERATOR, NameRequest.class, (ctx, q) -> {
            certs.delete(ctx.actor(), q.name());
            return Empty.INSTANCE;
        });
    }
}
