package io.tiyi.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustProfileTest {
    @Test
    void aValidProfileIsKeptWithCanonicalHeaderNames() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8", " 172.16.0.0/12", "2001:db8::/32", "192.0.2.7"),
                List.of("x-forwarded-for", "FORWARDED", "cf-connecting-ip", "X-Real-Ip", "true-client-ip", "fastly-client-ip"),
                List.of("cloudflare", "Fastly"));
        assertThat(p.trustedProxies()).containsExactly("10.0.0.0/8", "172.16.0.0/12", "2001:db8::/32", "192.0.2.7");
        assertThat(p.clientIpHeaders()).containsExactly("X-Forwarded-For", "Forwarded", "CF-Connecting-IP", "X-Real-IP", "True-Client-IP",
                "Fastly-Client-IP");
        assertThat(p.cdnProviders()).containsExactly("cloudflare", "fastly");
    }

    @Test
    void noneTrustsNobody() {
        assertThat(TrustProfile.none().trustedProxies()).isEmpty();
        assertThat(TrustProfile.none().clientIpHeaders()).isEmpty();
        assertThat(TrustProfile.none().cdnProviders()).isEmpty();
        assertThat(new TrustProfile(null, null, null)).isEqualTo(TrustProfile.none());
    }

    @Test
    void listsAreCopied() {
        List<String> proxies = new ArrayList<>(List.of("10.0.0.0/8"));
        TrustProfile p = new TrustProfile(proxies, List.of(), List.of());
        proxies.add("0.0.0.0/0");
        assertThat(p.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThatThrownBy(() -> p.trustedProxies().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badProxiesNameTheFieldAndTheEntry() {
        assertThatThrownBy(() -> new TrustProfile(List.of("10.0.0.0/8", "10.0.0.0/33"), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted_proxies: '10.0.0.0/33' is not a CIDR: IPv4 prefix length must be 0 to 32");
        assertThatThrownBy(() -> new TrustProfile(List.of("proxy.internal"), List.of(), List.of()))
                .hasMessageStartingWith("trusted_proxies: 'proxy.internal' is not a CIDR: expected an IPv4 or IPv6 address");
        assertThatThrownBy(() -> new TrustProfile(java.util.Arrays.asList((String) null), List.of(), List.of()))
                .hasMessageStartingWith("trusted_proxies: ");
        assertThatThrownBy(() -> new TrustProfile(List.of("10.0.0.0/8", "10.1.0.0/8"), List.of(), List.of()))
                .hasMessageContaining("trusted_proxies: '10.1.0.0/8' is listed twice (as 10.0.0.0/8)");
    }

    @Test
    void badHeadersNameTheFieldAndListTheSupportedOnes() {
        String supported = "supported: X-Forwarded-For, X-Real-IP, CF-Connecting-IP, True-Client-IP, Fastly-Client-IP, Forwarded";
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of("X-Client-IP"), List.of()))
                .hasMessage("client_ip_headers: 'X-Client-IP' is not supported; " + supported);
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of("X Forwarded For"), List.of()))
                .hasMessage("client_ip_headers: 'X Forwarded For' is not a header name; " + supported);
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of("X-Forwarded-For:"), List.of()))
                .hasMessageContaining("client_ip_headers: 'X-Forwarded-For:' is not a header name");
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of(""), List.of())).hasMessageContaining("client_ip_headers: '' is not a header name");
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of("X-Forwarded-For", "x-forwarded-for"), List.of()))
                .hasMessage("client_ip_headers: 'x-forwarded-for' is listed twice; list each header once");
    }

    @Test
    void badProvidersNameTheFieldAndListTheKnownOnes() {
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of(), List.of("akamai")))
                .hasMessage("cdn_providers: 'akamai' is not a known CDN provider; known: cloudflare, fastly");
        assertThatThrownBy(() -> new TrustProfile(List.of(), List.of(), List.of("fastly", "FASTLY")))
                .hasMessage("cdn_providers: 'fastly' is listed twice; list each provider once");
    }
}
