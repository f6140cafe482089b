package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.trust.ClientIpResolver.Resolution;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientIpResolverTest {
    /** The production guide's {@code --trusted-proxies 10.0.0.0/8,172.16.0.0/12 --client-ip-headers X-Forwarded-For}. */
    static final TrustProfile GUIDE = new TrustProfile(List.of("10.0.0.0/8", "172.16.0.0/12"), List.of("X-Forwarded-For"), List.of());

    /** Header lines as a request has them: name, value, name, value... */
    static Function<String, List<String>> headers(String... nameValue) {
        Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValue.length; i += 2) {
            m.computeIfAbsent(nameValue[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(nameValue[i + 1]);
        }
        return name -> m.getOrDefault(name, List.of());
    }

    static Resolution resolve(TrustProfile p, String peer, String... nameValue) {
        return new ClientIpResolver(p, Map.of()).resolve(peer, headers(nameValue));
    }

    @Test
    void guideExampleBehindATrustedProxy() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "1.2.3.4, 10.0.0.5");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.peer()).isEqualTo("10.0.0.5");
        assertThat(r.peerTrusted()).isTrue();
        assertThat(r.header()).isEqualTo("X-Forwarded-For");
        assertThat(r.bypassAttempt()).isFalse();
        assertThat(r.malformed()).isZero();
        assertThat(r.steps()).containsExactly(
                "peer 10.0.0.5 is trusted (in 10.0.0.0/8)",
                "X-Forwarded-For: 1.2.3.4, 10.0.0.5",
                "hop 10.0.0.5 is trusted (in 10.0.0.0/8), skipped",
                "hop 1.2.3.4 is not trusted: client is 1.2.3.4");
    }

    @Test
    void guideExampleFromAnUntrustedPeerIsABypassAttempt() {
        Resolution r = resolve(GUIDE, "203.0.113.9", "X-Forwarded-For", "1.2.3.4");
        assertThat(r.client()).isEqualTo("203.0.113.9");
        assertThat(r.peerTrusted()).isFalse();
        assertThat(r.header()).isNull();
        assertThat(r.bypassAttempt()).isTrue();
        assertThat(r.steps()).containsExactly(
                "peer 203.0.113.9 is not a trusted proxy: client is the peer, X-Forwarded-For ignored (bypass attempt)");
    }

    @Test
    void anUntrustedPeerWithoutHeadersIsNoBypassAttempt() {
        Resolution r = resolve(GUIDE, "203.0.113.9", "X-Real-IP", "1.2.3.4");
        assertThat(r.client()).isEqualTo("203.0.113.9");
        assertThat(r.bypassAttempt()).as("X-Real-IP is not configured").isFalse();
        assertThat(r.steps()).containsExactly("peer 203.0.113.9 is not a trusted proxy: client is the peer");
    }

    @Test
    void aTrustedPeerWithoutHeadersIsTheClient() {
        Resolution r = resolve(GUIDE, "10.0.0.5");
        assertThat(r.client()).isEqualTo("10.0.0.5");
        assertThat(r.header()).isNull();
        assertThat(r.steps()).containsExactly("peer 10.0.0.5 is trusted (in 10.0.0.0/8)",
                "no client-IP header present (looked for X-Forwarded-For): client is the peer");
    }

    @Test
    void noneUsesThePeerAndIgnoresEveryHeader() {
        Resolution r = resolve(TrustProfile.none(), "10.0.0.5", "X-Forwarded-For", "1.2.3.4");
        assertThat(r.client()).isEqualTo("10.0.0.5");
        assertThat(r.bypassAttempt()).isFalse();
    }

    @Test
    void severalProxiesAndForgedEntriesToTheLeft() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "6.6.6.6, 1.2.3.4, 172.16.3.4, 10.9.9.9");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.steps()).contains("hop 172.16.3.4 is trusted (in 172.16.0.0/12), skipped");
    }

    @Test
    void severalHeaderLinesAreOneChainInOrder() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "6.6.6.6, 1.2.3.4", "X-Forwarded-For", "10.1.1.1");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.steps()).contains("X-Forwarded-For: 6.6.6.6, 1.2.3.4, 10.1.1.1");
    }

    @Test
    void malformedEntriesAreSkippedCountedAndNeverChosen() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "1.2.3.4, evil.example, unknown, 10.0.0.7");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.malformed()).isEqualTo(2);
        assertThat(r.steps()).contains("hop 'unknown' is not an IP address, skipped", "hop 'evil.example' is not an IP address, skipped");
    }

    @Test
    void whenEveryHopIsTrustedTheLeftmostAddressIsTheClient() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "garbage, 10.2.2.2, 10.3.3.3");
        assertThat(r.client()).isEqualTo("10.2.2.2");
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.steps()).last().isEqualTo("every hop is trusted or malformed: client is the leftmost address 10.2.2.2");
    }

    @Test
    void whenNoHopIsAnAddressThePeerIsTheClient() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "garbage, , unknown");
        assertThat(r.client()).isEqualTo("10.0.0.5");
        assertThat(r.malformed()).isEqualTo(3);
        assertThat(r.header()).isEqualTo("X-Forwarded-For");
        assertThat(r.steps()).last().isEqualTo("no address in X-Forwarded-For: client is the peer");
    }

    @Test
    void addressesComeOutCanonical() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("X-Forwarded-For"), List.of());
        assertThat(resolve(p, "[2001:db8::5]:4431", "X-Forwarded-For", "[2001:DB8:1:0:0:0:0:1]:80, 2001:db8::7").client())
                .isEqualTo("2001:db8:1::1");
        assertThat(resolve(p, "::ffff:10.0.0.5", "X-Forwarded-For", "::ffff:1.2.3.4").client()).isEqualTo("1.2.3.4");
        Resolution r = resolve(p, "::ffff:10.0.0.5", "X-Forwarded-For", "1.2.3.4:5678");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.peer()).isEqualTo("10.0.0.5");
        assertThat(resolve(p, "2001:0db8:0:0:0:0:0:9", "X-Forwarded-For", "2606:4700:0:0:0:0:0:1").client()).isEqualTo("2606:4700::1");
    }

    @Test
    void theFirstConfiguredHeaderPresentIsUsed() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("CF-Connecting-IP", "X-Forwarded-For"), List.of());
        Resolution r = resolve(p, "10.0.0.5", "X-Forwarded-For", "5.5.5.5", "CF-Connecting-IP", "1.2.3.4");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.header()).isEqualTo("CF-Connecting-IP");
        r = resolve(p, "10.0.0.5", "x-forwarded-for", "5.5.5.5");
        assertThat(r.client()).isEqualTo("5.5.5.5");
        assertThat(r.header()).isEqualTo("X-Forwarded-For");
    }

    @Test
    void singleAddressHeadersTakeTheLastValue() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("X-Real-IP"), List.of());
        Resolution r = resolve(p, "10.0.0.5", "X-Real-IP", "6.6.6.6", "X-Real-IP", "1.2.3.4");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        r = resolve(p, "10.0.0.5", "X-Real-IP", "1.2.3.4, 5.6.7.8");
        assertThat(r.client()).as("a list where one address belongs is malformed").isEqualTo("10.0.0.5");
        assertThat(r.malformed()).isEqualTo(1);
    }

    @Test
    void severalHeadersFromAnUntrustedPeerAreAllNamed() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("X-Real-IP", "X-Forwarded-For"), List.of());
        Resolution r = resolve(p, "203.0.113.9", "X-Forwarded-For", "1.1.1.1", "X-Real-IP", "1.1.1.1");
        assertThat(r.steps()).containsExactly(
                "peer 203.0.113.9 is not a trusted proxy: client is the peer, X-Real-IP, X-Forwarded-For ignored (bypass attempt)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "for=192.0.2.60;proto=http;by=203.0.113.43|192.0.2.60|0",
            "for=192.0.2.43, for=198.51.100.17|198.51.100.17|0",
            "for=198.51.100.17, for=10.0.0.9|198.51.100.17|0",
            "For=\"[2001:db8:cafe::17]:4711\"|2001:db8:cafe::17|0",
            "for=\"[2001:db8:cafe::17]\";proto=https|2001:db8:cafe::17|0",
            "for=\"192.0.2.43:47011\"|192.0.2.43|0",
            "for=192.0.2.43, for=unknown|192.0.2.43|1",
            "for=192.0.2.43, for=_hidden, for=_SEVKISEK|192.0.2.43|2",
            "for=192.0.2.43, proto=https|192.0.2.43|1",
            "for=192.0.2.43,,for=10.0.0.9|192.0.2.43|0",
            "for=\"192.0.2.43, 6.6.6.6\", for=10.0.0.9|10.0.0.9|1",
            "for=\"1.2.3.4\\\"x\"|10.0.0.5|1",
            "for=\"1.2.3.4|10.0.0.5|1",
            "for=\"1.2.3.4\" junk|10.0.0.5|1",
            "by=10.0.0.1;for=1.2.3.4;host=example.com|1.2.3.4|0",
            "for=\"\\1.2.3.4\"|1.2.3.4|0",
    })
    void forwardedHeader(String value, String client, int malformed) {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("Forwarded"), List.of());
        Resolution r = resolve(p, "10.0.0.5", "Forwarded", value);
        assertThat(r.client()).isEqualTo(client);
        assertThat(r.malformed()).isEqualTo(malformed);
        assertThat(r.header()).isEqualTo("Forwarded");
    }

    @Test
    void forwardedAcrossSeveralLines() {
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("Forwarded"), List.of());
        Resolution r = resolve(p, "10.0.0.5", "Forwarded", "for=6.6.6.6, for=1.2.3.4", "Forwarded", "for=10.0.0.3;proto=https");
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.steps()).contains("hop 10.0.0.3 is trusted (in 10.0.0.0/8), skipped");
    }

    @Test
    void cdnRangesAreTrustedWhenTheProviderIsInTheProfile() {
        Map<String, List<Cidr>> cdn = Map.of("cloudflare", CdnRanges.builtIn().get("cloudflare").cidrs(),
                "fastly", CdnRanges.builtIn().get("fastly").cidrs());
        TrustProfile withCloudflare = new TrustProfile(List.of(), List.of("CF-Connecting-IP"), List.of("cloudflare"));
        Resolution r = new ClientIpResolver(withCloudflare, cdn).resolve("173.245.48.10", headers("CF-Connecting-IP", "1.2.3.4"));
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.peerTrusted()).isTrue();
        assertThat(r.steps()).first().isEqualTo("peer 173.245.48.10 is trusted (in 173.245.48.0/20, cloudflare)");
        r = new ClientIpResolver(withCloudflare, cdn).resolve("[2606:4700::1]:443", headers("CF-Connecting-IP", "2001:db8::1"));
        assertThat(r.client()).isEqualTo("2001:db8::1");

        Resolution fastlyPeer = new ClientIpResolver(withCloudflare, cdn).resolve("151.101.1.1", headers("CF-Connecting-IP", "1.2.3.4"));
        assertThat(fastlyPeer.client()).as("fastly is not in the profile").isEqualTo("151.101.1.1");
        assertThat(fastlyPeer.bypassAttempt()).isTrue();

        TrustProfile withoutCdn = new TrustProfile(List.of(), List.of("CF-Connecting-IP"), List.of());
        assertThat(new ClientIpResolver(withoutCdn, cdn).resolve("173.245.48.10", headers("CF-Connecting-IP", "1.2.3.4")).client())
                .isEqualTo("173.245.48.10");
    }

    @Test
    void cdnRangesAreTrustedInTheChainToo() {
        Map<String, List<Cidr>> cdn = Map.of("fastly", CdnRanges.builtIn().get("fastly").cidrs());
        TrustProfile p = new TrustProfile(List.of("10.0.0.0/8"), List.of("X-Forwarded-For"), List.of("fastly"));
        Resolution r = new ClientIpResolver(p, cdn).resolve("10.0.0.5", headers("X-Forwarded-For", "1.2.3.4, 151.101.7.7"));
        assertThat(r.client()).isEqualTo("1.2.3.4");
        assertThat(r.steps()).contains("hop 151.101.7.7 is trusted (in 151.101.0.0/16, fastly), skipped");
    }

    @Test
    void neverThrowsOnNullsAndFailingLookups() {
        ClientIpResolver resolver = new ClientIpResolver(GUIDE, null);
        assertThat(resolver.resolve(null, null).client()).isEmpty();
        assertThat(resolver.resolve("10.0.0.5", name -> null).client()).isEqualTo("10.0.0.5");
        assertThat(resolver.resolve("10.0.0.5", name -> java.util.Arrays.asList(null, "1.2.3.4")).client()).isEqualTo("1.2.3.4");
        assertThat(resolver.resolve("10.0.0.5", name -> {
            throw new IllegalStateException("boom");
        }).client()).isEqualTo("10.0.0.5");
        Resolution r = resolver.resolve("not an address", headers("X-Forwarded-For", "1.2.3.4"));
        assertThat(r.client()).isEqualTo("not an address");
        assertThat(r.peerTrusted()).isFalse();
    }

    @Test
    void stepsQuoteHeaderTextSafely() {
        Resolution r = resolve(GUIDE, "10.0.0.5", "X-Forwarded-For", "a\r\nb, " + "x".repeat(500));
        assertThat(r.steps()).allSatisfy(s -> assertThat(s).doesNotContain("\r", "\n").hasSizeLessThan(260));
    }
}
