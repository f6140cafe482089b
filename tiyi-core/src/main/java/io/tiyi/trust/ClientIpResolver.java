package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the client address of a request from its TCP peer and the client-IP headers, under a
 * {@link TrustProfile}.
 *
 * <p>Headers are believed only as far as trusted proxies wrote them. A peer that is not a
 * trusted proxy could have written anything, so then the client is the peer and the headers
 * are ignored (and their presence is reported as a bypass attempt: somebody reached the origin
 * around the proxies, claiming a client address). Behind a trusted peer, the chain of addresses
 * in the first configured header present is walked from the right, the end the nearest proxy
 * wrote: trusted proxies are skipped, and the first address that is not trusted is the client,
 * because anything to its left was written by that untrusted hop or its client and may be
 * forged. Entries that are not addresses ({@code unknown}, obfuscated identifiers, garbage) are
 * skipped and counted but never chosen. This is the rightmost-untrusted rule of RFC 7239 §7.4
 * and of nginx's {@code real_ip_recursive on}.
 *
 * <p>Immutable and thread-safe; {@link #resolve} never throws.
 */
public final class ClientIpResolver {
    /** The longest header text quoted in a step: steps are for people, and headers can be large. */
    private static final int QUOTE_MAX = 200;

    private record Range(Cidr cidr, String label) {}

    private final TrustProfile profile;
    private final List<Range> trusted;

    /**
     * @param profile the trust profile
     * @param cdnRanges CDN ranges by provider; those of providers in the profile are trusted
     *     proxies too, the others are ignored
     */
    /** A resolver over CDN ranges as they are stored and travel in bundles (CIDR strings by provider). */
    public static ClientIpResolver of(TrustProfile profile, Map<String, List<String>> cdnRanges) {
        Map<String, List<Cidr>> parsed = new java.util.LinkedHashMap<>();
        cdnRanges.forEach((p, ranges) -> parsed.put(p, ranges.stream().map(Cidr::parse).toList()));
        return new ClientIpResolver(profile, parsed);
    }

    public ClientIpResolver(TrustProfile profile, Map<String, List<Cidr>> cdnRanges) {
        this.profile = profile == null ? TrustProfile.none() : profile;
        List<Range> t = new ArrayList<>();
        for (String p : this.profile.trustedProxies()) {
            Cidr c = Cidr.parse(p);
            t.add(new Range(c, c.toString()));
        }
        for (String provider : this.profile.cdnProviders()) {
            List<Cidr> ranges = cdnRanges == null ? null : cdnRanges.get(provider);
            if (ranges != null) {
                for (Cidr c : ranges) {
                    if (c != null) {
                        t.add(new Range(c, c + ", " + provider));
                    }
                }
            }
        }
        this.trusted = List.copyOf(t);
    }

    /**
     * Whether no peer is trusted (no proxies, no CDN ranges): then the client of every request is
     * its peer, and a client-IP header only ever tells of a bypass attempt. The data plane reads
     * this to skip {@link #resolve} and its allocations on every request when nothing is trusted.
     */
    public boolean trustsNobody() {
        return trusted.isEmpty();
    }

    /** The client-IP headers of the profile, canonical spelling; their presence from an untrusted peer is a bypass attempt. */
    public List<String> clientIpHeaders() {
        return profile.clientIpHeaders();
    }

    /**
     * The outcome of resolving one request.
     *
     * @param client the client address, canonical (IPv6 compressed, no brackets or port; an
     *     IPv4-mapped IPv6 address as plain IPv4); the peer as given when it is not an address
     * @param peer the TCP peer, canonical like {@code client}
     * @param peerTrusted whether the peer is a trusted proxy
     * @param header the header the client was taken from, or null when none was used
     * @param bypassAttempt a client-IP header came from a peer that is not a trusted proxy
     * @param malformed entries of the header chain that were not addresses
     * @param steps one line per decision, for {@code tiyi trust test} and debug logs
     */
    public record Resolution(String client, String peer, boolean peerTrusted, String header, boolean bypassAttempt, int malformed,
            List<String> steps) {
        /** Copies {@code steps}. */
        public Resolution {
            steps = List.copyOf(steps);
        }
    }

    /**
     * Resolves the client of one request.
     *
     * @param peer the TCP peer address (a port or brackets are allowed)
     * @param headerValues every value of a header by case-insensitive name, in order; an empty
     *     list when absent
     */
    public Resolution resolve(String peer, Function<String, List<String>> headerValues) {
        try {
            return doResolve(peer, headerValues);
        } catch (RuntimeException e) {
            // Not expected; but a request must always get a client address, and the peer is the one we know is real.
            String p = peer == null ? "" : peer;
            return new Resolution(p, p, false, null, false, 0,
                    List.of("could not resolve the client (" + e + "): client is the peer " + quote(p)));
        }
    }

    private Resolution doResolve(String rawPeer, Function<String, List<String>> headerValues) {
        List<String> steps = new ArrayList<>();
        Optional<byte[]> peerBytes = Cidr.parseAddress(rawPeer);
        if (peerBytes.isEmpty()) {
            String p = rawPeer == null ? "" : rawPeer;
            steps.add("peer " + quote(p) + " is not an IP address: client is the peer, headers ignored");
            return new Resolution(p, p, false, null, false, 0, steps);
        }
        String peer = canonical(peerBytes.get());
        Range peerRange = trustedBy(peerBytes.get());

        List<String> present = new ArrayList<>();
        String header = null;
        List<String> values = List.of();
        for (String h : profile.clientIpHeaders()) {
            List<String> v = values(headerValues, h);
            if (!v.isEmpty()) {
                present.add(h);
                if (header == null) {
                    header = h;
                    values = v;
                }
            }
        }

        if (peerRange == null) {
            boolean bypass = !present.isEmpty();
            steps.add("peer " + peer + " is not a trusted proxy: client is the peer"
                    + (bypass ? ", " + String.join(", ", present) + " ignored (bypass attempt)" : ""));
            return new Resolution(peer, peer, false, null, bypass, 0, steps);
        }
        steps.add("peer " + peer + " is trusted (in " + peerRange.label() + ")");
        if (header == null) {
            steps.add(profile.clientIpHeaders().isEmpty()
                    ? "no client-IP header is configured: client is the peer"
                    : "no client-IP header present (looked for " + String.join(", ", profile.clientIpHeaders()) + "): client is the peer");
            return new Resolution(peer, peer, true, null, false, 0, steps);
        }

        List<String> chain = chain(header, values);
        steps.add(header + ": " + quoteRaw(String.join(", ", values)));
        int malformed = 0;
        String leftmost = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String entry = chain.get(i);
            Optional<byte[]> a = Cidr.parseAddress(entry);
            if (a.isEmpty()) {
                malformed++;
                steps.add("hop " + quote(entry) + " is not an IP address, skipped");
                continue;
            }
            String addr = canonical(a.get());
            leftmost = addr;
            Range r = trustedBy(a.get());
            if (r != null) {
                steps.add("hop " + addr + " is trusted (in " + r.label() + "), skipped");
                continue;
            }
            steps.add("hop " + addr + " is not trusted: client is " + addr);
            return new Resolution(addr, peer, true, header, false, malformed, steps);
        }
        if (leftmost != null) {
            steps.add("every hop is trusted or malformed: client is the leftmost address " + leftmost);
            return new Resolution(leftmost, peer, true, header, false, malformed, steps);
        }
        steps.add("no address in " + header + ": client is the peer");
        return new Resolution(peer, peer, true, header, false, malformed, steps);
    }

    private Range trustedBy(byte[] address) {
        for (Range r : trusted) {
            if (r.cidr().containsAddress(address)) {
                return r;
            }
        }
        return null;
    }

    /** The header's values without nulls; empty when absent or when the lookup fails. */
    private static List<String> values(Function<String, List<String>> headerValues, String name) {
        if (headerValues == null) {
            return List.of();
        }
        List<String> v;
        try {
            v = headerValues.apply(name);
        } catch (RuntimeException e) {
            return List.of();
        }
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(v.size());
        for (String s : v) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The header's entries, leftmost (farthest from us) first. */
    static List<String> chain(String header, List<String> values) {
        switch (header) {
            case "X-Forwarded-For": {
                // Several header lines are one list in order (RFC 9110 §5.3).
                List<String> out = new ArrayList<>();
                for (String v : values) {
                    for (String e : v.split(",", -1)) {
                        out.add(e.strip());
                    }
                }
                return out;
            }
            case "Forwarded": {
                List<String> out = new ArrayList<>();
                for (String v : values) {
                    out.addAll(Forwarded.forValues(v));
                }
                return out;
            }
            default:
                // A single-address header sent twice: the last one is the one the nearest proxy set.
                return List.of(values.get(values.size() - 1).strip());
        }
    }

    /** IPv4-mapped addresses become IPv4, so the WAF, logs and rules see one spelling per client. */
    private static String canonical(byte[] a) {
        byte[] v4 = Cidr.unmapped(a);
        return Cidr.format(v4 != null ? v4 : a);
    }

    private static String quote(String s) {
        return "'" + quoteRaw(s) + "'";
    }

    /** Header text made safe for a log line: control characters shown as '?', long text cut. */
    private static String quoteRaw(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), QUOTE_MAX + 3));
        for (int i = 0; i < s.length() && i < QUOTE_MAX; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > QUOTE_MAX) {
            b.append("...");
        }
        return b.toString();
    }

    /** RFC 7239 {@code Forwarded} field values. */
    static final class Forwarded {
        private Forwarded() {}

        /**
         * The {@code for} value of each element of one field value, unquoted, leftmost first.
         * An element without one gives "" so that it counts as malformed rather than vanishing
         * from the chain; {@code unknown} and obfuscated identifiers ({@code _hidden}) are kept
         * as they are and fail address parsing the same way. Empty list elements ({@code a, , b},
         * allowed by RFC 9110 §5.6.1) are not hops and are dropped.
         */
        static List<String> forValues(String value) {
            List<String> out = new ArrayList<>();
            String found = null;
            boolean anyPair = false;
            int n = value.length();
            int i = 0;
            while (true) {
                int nameStart = i;
                while (i < n && "=;,".indexOf(value.charAt(i)) < 0) {
                    i++;
                }
                String name = value.substring(nameStart, i).strip();
                String val = null;
                if (i < n && value.charAt(i) == '=') {
                    i++;
                    StringBuilder b = new StringBuilder();
                    i = readValue(value, i, b);
                    val = b.toString().strip();
                }
                anyPair |= !name.isEmpty() || val != null;
                if (found == null && name.equalsIgnoreCase("for")) {
                    found = val == null ? "" : val;
                }
                if (i >= n || value.charAt(i) == ',') {
                    if (anyPair) {
                        out.add(found == null ? "" : found);
                    }
                    found = null;
                    anyPair = false;
                }
                if (i >= n) {
                    return out;
                }
                i++;
            }
        }

        /** Reads a token or quoted-string value starting at {@code i} into {@code b}; returns where it ends. */
        private static int readValue(String value, int i, StringBuilder b) {
            int n = value.length();
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && value.charAt(i) == '"') {
                i++;
                while (i < n && value.charAt(i) != '"') {
                    if (value.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    b.append(value.charAt(i));
                    i++;
                }
                if (i >= n) {
                    // An unterminated quote leaves the value unusable; a stray quote keeps it malformed.
                    b.insert(0, '"');
                    return i;
                }
                i++;
            }
            // Anything after a closing quote, or an unquoted value, up to the next separator; text
            // after a quote makes the value fail address parsing, as it should.
            while (i < n && value.charAt(i) != ';' && value.charAt(i) != ',') {
                b.append(value.charAt(i));
                i++;
            }
            return i;
        }
    }
}
