package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.CDN_RANGES;
import static io.tiyi.store.generated.Tables.TRUST_PROFILE;

import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.trust.TrustProfile;
import java.util.List;
import java.util.Map;

/** The trust profile and refreshed CDN ranges are replicated state, changed only through these mutations. */
public final class TrustMutations {
    private TrustMutations() {}

    static String lines(List<String> l) {
        return String.join("\n", l);
    }

    static List<String> lines(String s) {
        return s == null || s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    /** Replaces the trust profile (validated by {@link TrustProfile} before it gets here). */
    public record SetProfile(List<String> trustedProxies, List<String> clientIpHeaders, List<String> cdnProviders) implements Mutation<Void> {
        public static final String KIND = "trust.set_profile";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().deleteFrom(TRUST_PROFILE).execute();
            ctx.db().insertInto(TRUST_PROFILE).set(TRUST_PROFILE.ID, 1).set(TRUST_PROFILE.TRUSTED_PROXIES, lines(trustedProxies))
                    .set(TRUST_PROFILE.CLIENT_IP_HEADERS, lines(clientIpHeaders)).set(TRUST_PROFILE.CDN_PROVIDERS, lines(cdnProviders))
                    .set(TRUST_PROFILE.UPDATED_AT, ctx.ts()).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("trust.profile_set", "trust_profile", Map.of("trusted_proxies", trustedProxies, "client_ip_headers",
                    clientIpHeaders, "cdn_providers", cdnProviders));
        }
    }

    /** Stores a provider's refreshed ranges, each already validated. */
    public record SetCdnRanges(String provider, List<String> ranges, String source, String takenOn) implements Mutation<Void> {
        public static final String KIND = "trust.set_cdn_ranges";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().deleteFrom(CDN_RANGES).where(CDN_RANGES.PROVIDER.eq(provider)).execute();
            ctx.db().insertInto(CDN_RANGES).set(CDN_RANGES.PROVIDER, provider).set(CDN_RANGES.RANGES, lines(ranges))
                    .set(CDN_RANGES.SOURCE, source).set(CDN_RANGES.TAKEN_ON, takenOn).set(CDN_RANGES.REFRESHED_AT, ctx.ts()).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("trust.cdn_refreshed", "cdn:" + provider, Map.of("ranges", ranges.size(), "source", source));
        }
    }
}
