package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The address ranges CDNs publish for their edge servers, which reach the origin on behalf of
 * clients: trusting a CDN in a {@link TrustProfile} trusts these as proxies.
 *
 * <p>A copy of each list ships in {@code cdn-ranges.json} (with the date it was taken), so a node
 * without outbound access works; {@link #fetch} gets the current one from the provider.
 * Every list is validated whole before use: a list with one bad entry, or none at all, is
 * refused, because a half-understood list silently trusts the wrong addresses or nobody.
 */
public final class CdnRanges {
    /** More than any provider publishes by far; a bigger answer is not a range list. */
    static final int MAX_BODY = 1 << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final Map<String, String> URLS = Map.of(
            "cloudflare", "https://api.cloudflare.com/client/v4/ips",
            "fastly", "https://api.fastly.com/public-ip-list");
    private static final List<String> PROVIDERS = List.of("cloudflare", "fastly");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CdnRanges() {}

    /**
     * One provider's list.
     *
     * @param provider {@code cloudflare} or {@code fastly}
     * @param ranges CIDRs, IPv4 then IPv6, as the provider wrote them
     * @param source where the list came from (a URL)
     * @param takenOn the date the list was taken, ISO-8601 ({@code 2026-10-02})
     */
    public record ProviderRanges(String provider, List<String> ranges, String source, String takenOn) {
        /** Copies {@code ranges}. */
        public ProviderRanges {
            ranges = List.copyOf(ranges);
        }

        /** The ranges parsed, for {@link ClientIpResolver}. */
        public List<Cidr> cidrs() {
            return ranges.stream().map(Cidr::parse).toList();
        }
    }

    private static final class BuiltIn {
        static final Map<String, ProviderRanges> LISTS = load();
    }

    /** The lists shipped with Tiyi, by provider. */
    public static Map<String, ProviderRanges> builtIn() {
        return BuiltIn.LISTS;
    }

    /** The known providers: {@code cloudflare}, {@code fastly}. */
    public static List<String> providers() {
        return PROVIDERS;
    }

    /** Where the provider publishes its list. */
    public static String defaultUrl(String provider) {
        return URLS.get(known(provider));
    }

    /**
     * Parses a provider's answer: Cloudflare's {@code {"result":{"ipv4_cidrs":[…],"ipv6_cidrs":[…]},"success":true}},
     * Fastly's {@code {"addresses":[…],"ipv6_addresses":[…]}}.
     *
     * @throws IllegalArgumentException naming the provider and what is wrong: not JSON, not the
     *     provider's format, an empty list, an entry that is not a CIDR, or a range of every address
     */
    public static ProviderRanges parse(String provider, String body, String source, String takenOn) {
        String p = known(provider);
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(p + ": the list from " + source + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(p + ": the list from " + source + " is not a JSON object");
        }
        List<String> ranges = new ArrayList<>();
        if (p.equals("cloudflare")) {
            if (!root.path("success").asBoolean(false)) {
                throw new IllegalArgumentException(p + ": the answer from " + source + " does not say \"success\":true: "
                        + abbreviate(root.path("errors").toString()));
            }
            collect(p, root.path("result"), "ipv4_cidrs", ranges);
            collect(p, root.path("result"), "ipv6_cidrs", ranges);
        } else {
            collect(p, root, "addresses", ranges);
            collect(p, root, "ipv6_addresses", ranges);
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException(p + ": the list from " + source + " has no ranges; keeping a list that trusts nobody"
                    + " would be a silent outage, so it is refused");
        }
        for (String r : ranges) {
            Cidr c;
            try {
                c = Cidr.parse(r);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(p + ": the list from " + source + " has a bad entry: " + e.getMessage());
            }
            if (c.prefixLength() == 0) {
                // A CDN never owns every address; trusting one would let anybody set the client address.
                throw new IllegalArgumentException(p + ": the list from " + source + " has '" + r + "', which covers every address");
            }
        }
        return new ProviderRanges(p, ranges, source, takenOn);
    }

    /**
     * Downloads and {@link #parse parses} a provider's current list, dated today (UTC).
     *
     * @param url must be {@code https:}
     * @param http the client to use (its TLS settings apply)
     * @throws IllegalArgumentException for an unknown provider, a URL that is not HTTPS, or a
     *     list {@link #parse} refuses
     * @throws IOException when the download fails, answers other than 200, or is over 1 MiB
     */
    public static ProviderRanges fetch(String provider, URI url, HttpClient http) throws IOException {
        String p = known(provider);
        if (url == null || url.getScheme() == null || !url.getScheme().equalsIgnoreCase("https")) {
            throw new IllegalArgumentException(p + ": refusing to fetch the range list from " + url
                    + ": only https:// URLs are allowed, since whoever can change the list in transit can choose which addresses are trusted");
        }
        HttpRequest req = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> res;
        try {
            res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(p + ": interrupted while fetching " + url);
        }
        byte[] body;
        try (InputStream in = res.body()) {
            if (res.statusCode() != 200) {
                throw new IOException(p + ": " + url + " answered HTTP " + res.statusCode() + " (expected 200)");
            }
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new IOException(p + ": the answer from " + url + " is larger than 1 MiB; refused as not a range list");
        }
        return parse(p, new String(body, StandardCharsets.UTF_8), url.toString(), LocalDate.now(ZoneOffset.UTC).toString());
    }

    private static void collect(String provider, JsonNode parent, String field, List<String> into) {
        JsonNode a = parent.path(field);
        if (a.isMissingNode() || a.isNull()) {
            return;
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException(provider + ": \"" + field + "\" is not a list of CIDRs");
        }
        for (JsonNode e : a) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException(provider + ": the list has a bad entry: " + abbreviate(e.toString()) + " in \"" + field
                        + "\" is not a CIDR string");
            }
            into.add(e.asText());
        }
    }

    private static String known(String provider) {
        String p = provider == null ? "" : provider.strip().toLowerCase(Locale.ROOT);
        if (!PROVIDERS.contains(p)) {
            throw new IllegalArgumentException("unknown CDN provider '" + provider + "'; known: " + String.join(", ", PROVIDERS));
        }
        return p;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static Map<String, ProviderRanges> load() {
        try (InputStream in = CdnRanges.class.getResourceAsStream("cdn-ranges.json")) {
            if (in == null) {
                throw new IllegalStateException("cdn-ranges.json is missing from the Tiyi jar");
            }
            JsonNode root = JSON.readTree(in);
            Map<String, ProviderRanges> out = new LinkedHashMap<>();
            for (String p : PROVIDERS) {
                JsonNode n = root.path(p);
                List<String> ranges = new ArrayList<>();
                n.path("ranges").forEach(r -> ranges.add(r.asText()));
                ranges.forEach(Cidr::parse);
                out.put(p, new ProviderRanges(p, ranges, n.path("source").asText(), n.path("taken").asText()));
            }
            return java.util.Collections.unmodifiableMap(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in CDN range lists", e);
        }
    }
}
