package io.tiyi.certs;

import io.tiyi.api.Access;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.CertificatesService;
import io.tiyi.client.rpc.CertificatesService.ImportRequest;
import io.tiyi.client.rpc.CertificatesService.ListRequest;
import io.tiyi.client.rpc.CertificatesService.NameRequest;
import io.tiyi.client.rpc.Empty;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.CertificatesService}: TLS certificates; keys go in and never come out. */
final class CertificatesRpc {

    record CertificateList(List<Certificate> certificates, int total) {}

    private CertificatesRpc() {}

    static void register(RpcRegistry r, Certificates certs) {
        r.query(CertificatesService.LIST, Access.VIEWER, (ctx, q) -> {
            Paging.Page<Certificate> p = Paging.page(certs.list(), q.filter(), q.offset(), q.limit(),
                    c -> Stream.concat(Stream.of(c.name(), c.subject(), c.issuer()), Paging.each(c.sans())));
            return new CertificateList(p.items(), p.total());
        });
        r.query(CertificatesService.GET, Access.VIEWER, (ctx, q) -> certs.get(RpcMethod.required(q.name(), "name")));
        r.mutation(CertificatesService.IMPORT, Access.OPERATOR, (ctx, q) -> certs.importPem(ctx.actor(), RpcMethod.required(q.name(), "name"), q.certPem(), q.keyPem()));
        r.mutation(CertificatesService.DELETE, Access.OPERATOR, (ctx, q) -> {
            certs.delete(ctx.actor(), RpcMethod.required(q.name(), "name"));
            return Empty.INSTANCE;
        });
    }
}
