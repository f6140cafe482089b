package io.tiyi.sites;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.TrustService;
import io.tiyi.client.rpc.TrustService.ProviderRequest;
import io.tiyi.client.rpc.TrustService.SetRequest;
import io.tiyi.client.rpc.TrustService.TestRequest;
import io.tiyi.internal.Cidr;
import io.tiyi.trust.ClientIpResolver;
import io.tiyi.trust.TrustProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code tiyi.v1.TrustService}: the client-IP trust profile, CDN range lists, and the resolver's explanation of a request. */
final class TrustRpc {

    record CdnList(List<Trust.CdnStatus> providers) {}

    private TrustRpc() {}

    static void register(RpcRegistry r, Trust trust) {
        r.query(TrustService.GET, Access.VIEWER, (ctx, q) -> trust.profile());
        r.mutation(TrustService.SET, Access.ADMIN, (ctx, q) -> trust.set(ctx.actor(), q.trustedProxies(), q.clientIpHeaders(), q.cdnProviders()));
        r.query(TrustService.TEST, Access.VIEWER, (ctx, q) -> {
            if (q.peer() == null || q.peer().isBlank()) {
                throw TiyiException.invalid("--peer is required: the address the request comes from");
            }
            if (Cidr.parseAddress(q.peer().trim()).isEmpty()) {
                throw TiyiException.invalid("--peer must be an IPv4 or IPv6 address, got '" + q.peer() + "'");
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String line : q.headers() == null ? List.<String>of() : q.headers()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw TiyiException.invalid("--header must look like 'Name: value', got '" + line + "'");
                }
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            TrustProfile p = trust.profile();
            ClientIpResolver resolver = ClientIpResolver.of(p, trust.trustedCdnLists(p));
            return resolver.resolve(q.peer().trim(), name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        });
        r.query(TrustService.CDN_LIST, Access.VIEWER, (ctx, q) -> new CdnList(trust.cdnStatus()));
        r.mutation(TrustService.CDN_REFRESH, Access.ADMIN, (ctx, q) -> trust.refresh(ctx.actor(), q.provider()));
    }
}
