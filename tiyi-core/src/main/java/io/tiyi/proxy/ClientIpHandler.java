package io.tiyi.proxy;

import io.tiyi.trust.ClientIpResolver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Decides which address a request is attributed to, with the trust profile in force: the TCP
 * peer, unless it is a trusted proxy and a client-IP header names the client. The resolved client
 * is what the WAF, the events and the logs see; the peer is kept beside it. A request that claims
 * a client address through a peer that is not trusted is an origin bypass attempt, counted here
 * and reported to the control plane, which alerts on it.
 */
final class ClientIpHandler implements HttpHandler {
    private final HttpHandler next;
    private final Supplier<ClientIpResolver> resolver;
    private final OriginBypass bypass;

    public ClientIpHandler(HttpHandler next, Supplier<ClientIpResolver> resolver, OriginBypass bypass) {
        this.next = next;
        this.resolver = resolver;
        this.bypass = bypass;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        InetSocketAddress src = ex.getSourceAddress();
        InetAddress address = src == null ? null : src.getAddress();
        String peer = address == null ? "" : address.getHostAddress();
        ClientIpResolver res = resolver.get();
        String client;
        boolean bypassAttempt;
        if (res.trustsNobody() && address instanceof Inet4Address) {
            // The common case, decided as resolve() would decide it: nobody is trusted, so the
            // client is the peer (an IPv4 address is already in its canonical spelling) and a
            // client-IP header is only a bypass attempt.
            client = peer;
            bypassAttempt = false;
            for (String h : res.clientIpHeaders()) {
                HeaderValues v = ex.getRequestHeaders().get(h);
                bypassAttempt |= v != null && !v.isEmpty();
            }
        } else {
            ClientIpResolver.Resolution r = res.resolve(peer, name -> {
                HeaderValues v = ex.getRequestHeaders().get(name);
                return v == null ? List.of() : List.copyOf(v);
            });
            client = r.client();
            bypassAttempt = r.bypassAttempt();
        }
        ex.putAttachment(Exchanges.PEER_IP, peer);
        ex.putAttachment(Exchanges.CLIENT_IP, client);
        if (bypassAttempt) {
            bypass.record(peer, ex.getRequestHeaders().getFirst(io.undertow.util.Headers.HOST));
        }
        next.handleRequest(ex);
    }

    @Override
    public String toString() {
        return "client-ip() -> " + next;
    }
}
