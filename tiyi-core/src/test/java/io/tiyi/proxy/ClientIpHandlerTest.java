package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.trust.ClientIpResolver;
import io.tiyi.trust.TrustProfile;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The handler decides as the resolver does, also on its path for a profile that trusts nobody. */
class ClientIpHandlerTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "none|203.0.113.7|", "none|203.0.113.7|X-Forwarded-For: 1.2.3.4", "headers|203.0.113.7|", "headers|203.0.113.7|X-Forwarded-For: 1.2.3.4",
        "headers|203.0.113.7|x-real-ip: 1.2.3.4", "headers|203.0.113.7|Forwarded: for=1.2.3.4", "headers|::ffff:203.0.113.7|X-Real-IP: 1.2.3.4",
        "headers|2001:db8:0:0:0:0:0:1|X-Real-IP: 1.2.3.4", "trusted|203.0.113.7|X-Forwarded-For: 1.2.3.4", "trusted|10.1.2.3|X-Forwarded-For: 1.2.3.4",
    })
    void decidesAsTheResolver(String profile, String peer, String header) throws Exception {
        TrustProfile p = switch (profile) {
            case "none" -> TrustProfile.none();
            case "headers" -> new TrustProfile(List.of(), List.of("X-Forwarded-For", "X-Real-IP", "Forwarded"), List.of());
            default -> new TrustProfile(List.of("10.0.0.0/8"), List.of("X-Forwarded-For"), List.of());
        };
        ClientIpResolver resolver = new ClientIpResolver(p, Map.of());
        HttpServerExchange ex = new HttpServerExchange(null);
        ex.setSourceAddress(new InetSocketAddress(java.net.InetAddress.getByName(peer), 40_000));
        if (header != null) {
            String[] kv = header.split(": ", 2);
            ex.getRequestHeaders().add(new HttpString(kv[0]), kv[1]);
        }
        OriginBypass bypass = new OriginBypass(new com.codahale.metrics.MetricRegistry());
        new ClientIpHandler(e -> {}, () -> resolver, bypass).handleRequest(ex);

        String rawPeer = ex.getSourceAddress().getAddress().getHostAddress();
        ClientIpResolver.Resolution expected = resolver.resolve(rawPeer, name -> values(ex.getRequestHeaders(), name));
        assertThat(ex.getAttachment(Exchanges.PEER_IP)).isEqualTo(rawPeer);
        assertThat(ex.getAttachment(Exchanges.CLIENT_IP)).isEqualTo(expected.client());
        assertThat(bypass.drain().count()).isEqualTo(expected.bypassAttempt() ? 1 : 0);
    }

    private static List<String> values(HeaderMap headers, String name) {
        HeaderValues v = headers.get(name);
        return v == null ? List.of() : List.copyOf(v);
    }
}
