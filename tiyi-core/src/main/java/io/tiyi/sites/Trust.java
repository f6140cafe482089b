package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.CDN_RANGES;
import static io.tiyi.store.generated.Tables.TRUST_PROFILE;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.internal.Text;
import io.tiyi.settings.Settings;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.trust.CdnRanges;
import io.tiyi.trust.TrustProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane's trust profile and CDN range lists: what {@code tiyi trust} shows and
 * changes. A provider never refreshed uses the built-in list that ships with Tiyi.
 */
public final class Trust implements RpcService {
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Settings settings;
    private final HttpClient http;

    /**
     * A provider's list as {@code tiyi trust cdn list} shows it.
     *
     * @param provider cloudflare or fastly
     * @param ranges how many ranges
     * @param source where they came from
     * @param takenOn when the provider published them (built-in) or when they were fetched
     * @param refreshedAt when they were refreshed, 0 for the built-in list
     * @param trusted whether the trust profile trusts this provider
     */
    public record CdnStatus(String provider, int ranges, String source, String takenOn, long refreshedAt, boolean trusted) {}

    public Trust(StateStore store, MutationPipeline pipeline, Settings settings, HttpClient http) {
        this.store = store;
        this.pipeline = pipeline;
        this.settings = settings;
        this.http = http;
    }

    /** An HTTP client for CDN lists: the JVM's trust store, redirects refused. */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public TrustProfile profile() {
        return store.read(db -> db.selectFrom(TRUST_PROFILE).fetchOptional()).map(r -> new TrustProfile(TrustMutations.lines(
                r.getTrustedProxies()), TrustMutations.lines(r.getClientIpHeaders()), TrustMutations.lines(r.getCdnProviders())))
                .orElse(TrustProfile.none());
    }

    /** Replaces the profile; null lists keep their current value. */
    public TrustProfile set(String actor, List<String> trustedProxies, List<String> clientIpHeaders, List<String> cdnProviders) {
        Text.requirePlain("trusted_proxies", trustedProxies);
        Text.requirePlain("client_ip_headers", clientIpHeaders);
        Text.requirePlain("cdn_providers", cdnProviders);
        TrustProfile cur = profile();
        TrustProfile next;
        try {
            next = new TrustProfile(trustedProxies == null ? cur.trustedProxies() : trustedProxies,
                    clientIpHeaders == null ? cur.clientIpHeaders() : clientIpHeaders, cdnProviders == null ? cur.cdnProviders() : cdnProviders);
        } catch (IllegalArgumentException e) {
            throw TiyiException.invalid(e.getMessage());
        }
        pipeline.apply(actor, new TrustMutations.SetProfile(next.trustedProxies(), next.clientIpHeaders(), next.cdnProviders()));
        return profile();
    }

    /** Every provider's ranges in force: refreshed ones from state, else the built-in list. */
    public Map<String, CdnRanges.ProviderRanges> ranges() {
        Map<String, CdnRanges.ProviderRanges> out = new LinkedHashMap<>(CdnRanges.builtIn());
        store.read(db -> db.selectFrom(CDN_RANGES).fetch()).forEach(r -> out.put(r.getProvider(), new CdnRanges.ProviderRanges(
                r.getProvider(), TrustMutations.lines(r.getRanges()), r.getSource(), r.getTakenOn())));
        return out;
    }

    /** The ranges of the providers the profile trusts, as they travel in bundles. */
    public Map<String, List<String>> trustedCdnLists(TrustProfile profile) {
        Map<String, CdnRanges.ProviderRanges> all = ranges();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String p : profile.cdnProviders()) {
            CdnRanges.ProviderRanges r = all.get(p);
            if (r != null) {
                out.put(p, r.ranges());
            }
        }
        return out;
    }

    public List<CdnStatus> cdnStatus() {
        TrustProfile p = profile();
        Map<String, Long> refreshed = new LinkedHashMap<>();
        store.read(db -> db.select(CDN_RANGES.PROVIDER, CDN_RANGES.REFRESHED_AT).from(CDN_RANGES).fetch())
                .forEach(r -> refreshed.put(r.value1(), r.value2()));
        List<CdnStatus> out = new ArrayList<>();
        ranges().forEach((name, r) -> out.add(new CdnStatus(name, r.ranges().size(), r.source(), r.takenOn(), refreshed.getOrDefault(name, 0L),
                p.cdnProviders().contains(name))));
        return out;
    }

    /**
     * Fetches a provider's published list from {@code trust.cdn.<provider>.url} and stores it.
     * An empty or malformed list, or a failed fetch, is refused and the stored list is kept.
     */
    public CdnStatus refresh(String actor, String provider) {
        Text.requirePlain("provider", provider);
        if (provider == null || !CdnRanges.providers().contains(provider)) {
            throw TiyiException.invalid("unknown CDN provider '" + provider + "'; known: " + String.join(", ", CdnRanges.providers()));
        }
        String url = settings.value("trust.cdn." + provider + ".url");
        CdnRanges.ProviderRanges fetched;
        try {
            fetched = CdnRanges.fetch(provider, URI.create(url), http);
        } catch (IllegalArgumentException e) {
            throw TiyiException.invalid("refused the " + provider + " list from " + url + ": " + e.getMessage() + "; the stored list is kept");
        } catch (Exception e) {
            throw new TiyiException(ErrorCode.UNAVAILABLE, "cannot fetch the " + provider + " list from " + url + ": " + e.getMessage()
                    + "; the stored list is kept (the URL is the setting trust.cdn." + provider + ".url)");
        }
        pipeline.apply(actor, new TrustMutations.SetCdnRanges(provider, fetched.ranges(), fetched.source(), fetched.takenOn()));
        return cdnStatus().stream().filter(s -> s.provider().equals(provider)).findFirst().orElseThrow();
    }

    @Override
    public void register(RpcRegistry registry) {
        TrustRpc.register(registry, this);
    }
}
