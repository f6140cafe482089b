package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which peers may tell Tiyi the client's address, and how: the proxies and load balancers in
 * front of it, the headers they write the client address into (tried in this order), and the
 * CDNs whose published ranges count as trusted proxies too.
 *
 * <p>Valid by construction, so a profile that reaches the data plane never fails there.
 *
 * @param trustedProxies CIDRs or bare addresses ({@code trusted_proxies}), as given but trimmed
 * @param clientIpHeaders supported header names ({@code client_ip_headers}) in canonical spelling
 * @param cdnProviders CDN providers ({@code cdn_providers}), lowercase
 */
public record TrustProfile(List<String> trustedProxies, List<String> clientIpHeaders, List<String> cdnProviders) {
    /** The headers Tiyi can read a client address from, in their canonical spelling. */
    public static final List<String> SUPPORTED_HEADERS =
            List.of("X-Forwarded-For", "X-Real-IP", "CF-Connecting-IP", "True-Client-IP", "Fastly-Client-IP", "Forwarded");

    /** Validates and copies; see the field names in the messages for what each list holds. */
    public TrustProfile {
        trustedProxies = proxies(trustedProxies);
        clientIpHeaders = headers(clientIpHeaders);
        cdnProviders = providers(cdnProviders);
    }

    /** Trusts nobody: the client is always the TCP peer. */
    public static TrustProfile none() {
        return new TrustProfile(List.of(), List.of(), List.of());
    }

    private static List<String> proxies(List<String> in) {
        List<String> out = new ArrayList<>();
        Set<Cidr> seen = new HashSet<>();
        for (String s : in == null ? List.<String>of() : in) {
            Cidr c;
            try {
                c = Cidr.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted_proxies: " + e.getMessage());
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("trusted_proxies: '" + s.strip() + "' is listed twice (as " + c + "); list each range once");
            }
            out.add(s.strip());
        }
        return List.copyOf(out);
    }

    private static List<String> headers(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in == null ? List.<String>of() : in) {
            String t = s == null ? "" : s.strip();
            if (!isToken(t)) {
                throw new IllegalArgumentException("client_ip_headers: '" + s + "' is not a header name; supported: "
                        + String.join(", ", SUPPORTED_HEADERS));
            }
            String canonical = SUPPORTED_HEADERS.stream().filter(h -> h.equalsIgnoreCase(t)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("client_ip_headers: '" + t + "' is not supported; supported: "
                            + String.join(", ", SUPPORTED_HEADERS)));
            if (out.contains(canonical)) {
                throw new IllegalArgumentException("client_ip_headers: '" + t + "' is listed twice; list each header once");
            }
            out.add(canonical);
        }
        return List.copyOf(out);
    }

    private static List<String> providers(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in == null ? List.<String>of() : in) {
            String t = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
            if (!CdnRanges.providers().contains(t)) {
                throw new IllegalArgumentException("cdn_providers: '" + s + "' is not a known CDN provider; known: "
                        + String.join(", ", CdnRanges.providers()));
            }
            if (out.contains(t)) {
                throw new IllegalArgumentException("cdn_providers: '" + t + "' is listed twice; list each provider once");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    /** RFC 9110 token: the characters a header field name may use. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
