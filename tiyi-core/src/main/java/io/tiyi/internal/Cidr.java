package io.tiyi.internal;

import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address range, such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare
 * address is the range of that one address ({@code /32} or {@code /128}).
 *
 * <p>Everything here parses literals by hand: {@code InetAddress.getByName} would resolve a name
 * that is not a literal through DNS, which a request header must never be able to trigger, and
 * it accepts forms (octal, shortened dotted quads, zone ids) that mean different things to
 * different software. IPv4 octets with a leading zero are refused for the same reason: some
 * read {@code 010} as 8, others as 10.
 */
public final class Cidr {
    private static final String EXPECTED =
            "expected an IPv4 or IPv6 address, optionally with /prefix-length (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)";

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a bare address. Host bits below the
     * prefix are cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
     *
     * @throws IllegalArgumentException naming the entry and what was expected
     */
    public static Cidr parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("null is not a CIDR: " + EXPECTED);
        }
        String t = s.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] a = literal(addr);
        if (a == null) {
            throw new IllegalArgumentException("'" + s + "' is not a CIDR: " + EXPECTED);
        }
        int max = a.length * 8;
        int bits = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            String family = a.length == 4 ? "IPv4" : "IPv6";
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + s + "' is not a CIDR: the prefix length after '/' must be a number from 0 to " + max
                        + " for " + family);
            }
            bits = Integer.parseInt(p);
            if (bits > max) {
                throw new IllegalArgumentException("'" + s + "' is not a CIDR: " + family + " prefix length must be 0 to " + max);
            }
        }
        return new Cidr(mask(a, bits), bits);
    }

    /**
     * The raw bytes of an IP literal: 4 for IPv4, 16 for IPv6. Accepts a dotted quad, IPv6 in
     * any RFC 4291 text form ({@code ::}, embedded IPv4 as in {@code ::ffff:192.0.2.1}),
     * IPv6 in brackets with or without a port ({@code [::1]}, {@code [::1]:80}) and IPv4 with a
     * port ({@code 192.0.2.1:80}). Never does a DNS lookup.
     *
     * @return empty when {@code literal} is null or not one of those forms
     */
    public static Optional<byte[]> parseAddress(String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        String s = literal.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            String rest = s.substring(close + 1);
            if (!rest.isEmpty() && !(rest.startsWith(":") && isPort(rest.substring(1)))) {
                return Optional.empty();
            }
            return Optional.ofNullable(ipv6(s.substring(1, close)));
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && colon == s.lastIndexOf(':')) {
            // One colon is never IPv6 (that needs at least two), so it is IPv4 with a port.
            return isPort(s.substring(colon + 1)) ? Optional.ofNullable(ipv4(s.substring(0, colon))) : Optional.empty();
        }
        return Optional.ofNullable(literal(s));
    }

    /**
     * True when {@code address} (any form {@link #parseAddress} accepts) lies in this range. An
     * IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is the IPv4 address it carries, since
     * a dual-stack listener reports IPv4 peers that way.
     *
     * @return false for a malformed address or one of the other family
     */
    public boolean contains(String address) {
        return parseAddress(address).map(this::containsAddress).orElse(false);
    }

    /**
     * True when the raw address (4 or 16 bytes) lies in this range. An IPv4 address and its
     * IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}) are one address, whichever form the range or
     * the address is written in; other IPv6 ranges ({@code ::/0} included) hold no IPv4 address.
     */
    public boolean containsAddress(byte[] address) {
        byte[] a = address;
        if (address.length == 16 && network.length == 4) {
            a = unmapped(address);
        } else if (address.length == 4 && network.length == 16 && prefix >= 96 && unmapped(network) != null) {
            a = new byte[16];
            a[10] = (byte) 0xff;
            a[11] = (byte) 0xff;
            System.arraycopy(address, 0, a, 12, 4);
        }
        if (a == null || a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int m = 0xff << (8 - rest) & 0xff;
        return (a[full] & m) == (network[full] & 0xff);
    }

    /** True for an IPv4 range. */
    public boolean isIpv4() {
        return network.length == 4;
    }

    /** The prefix length. */
    public int prefixLength() {
        return prefix;
    }

    /** Canonical form: network address (IPv6 compressed as RFC 5952 says), a slash and the prefix length. */
    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** The IPv4 address an IPv4-mapped IPv6 address carries, or null when it is not one. */
    public static byte[] unmapped(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return null;
            }
        }
        if (a[10] != (byte) 0xff || a[11] != (byte) 0xff) {
            return null;
        }
        return Arrays.copyOfRange(a, 12, 16);
    }

    /** Dotted quad for 4 bytes, RFC 5952 text for 16 (lowercase, longest zero run compressed, mapped IPv4 dotted). */
    public static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        byte[] v4 = unmapped(a);
        if (v4 != null) {
            return "::ffff:" + format(v4);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (a[2 * i] & 0xff) << 8 | a[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    private static byte[] mask(byte[] a, int bits) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            m[i] = (byte) (m[i] & (0xff << (8 - keep)));
        }
        return m;
    }

    private static boolean isPort(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Integer.parseInt(s) <= 65535;
    }

    /**
     * A bare IPv4 or IPv6 literal, as {@code inet_pton} reads one: a dotted quad without leading
     * zeros, or RFC 4291 IPv6 text without brackets, port or zone; null for anything else.
     */
    public static byte[] literal(String s) {
        return s.indexOf(':') >= 0 ? ipv6(s) : ipv4(s);
    }

    private static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (part < 4) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - start;
            if (len == 0 || v > 255 || (len > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) v;
            if (part < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == n ? out : null;
    }

    private static byte[] ipv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
            return null;
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        byte[] embedded = new byte[4];
        int headN;
        int tailN = 0;
        boolean hasEmbedded = false;
        if (dc < 0) {
            int r = groups(s, head, embedded);
            if (r < 0) {
                return null;
            }
            headN = r & 0xff;
            hasEmbedded = r > 0xff;
        } else {
            String left = s.substring(0, dc);
            String right = s.substring(dc + 2);
            headN = left.isEmpty() ? 0 : groups(left, head, null);
            if (headN < 0) {
                return null;
            }
            if (!right.isEmpty()) {
                int r = groups(right, tail, embedded);
                if (r < 0) {
                    return null;
                }
                tailN = r & 0xff;
                hasEmbedded = r > 0xff;
            }
        }
        int words = headN + tailN + (hasEmbedded ? 2 : 0);
        if (dc < 0 ? words != 8 : words > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headN; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        int end = hasEmbedded ? 12 : 16;
        int at = end - 2 * tailN;
        for (int i = 0; i < tailN; i++) {
            out[at + 2 * i] = (byte) (tail[i] >> 8);
            out[at + 2 * i + 1] = (byte) tail[i];
        }
        if (hasEmbedded) {
            System.arraycopy(embedded, 0, out, 12, 4);
        }
        return out;
    }

    /**
     * Hex groups separated by single colons into {@code out}. When {@code embedded} is given,
     * the last part may be a dotted quad, written there. Returns the number of hex groups, plus
     * 0x100 when a dotted quad was found, or -1 when malformed.
     */
    private static int groups(String s, int[] out, byte[] embedded) {
        String[] parts = s.split(":", -1);
        int n = 0;
        for (int k = 0; k < parts.length; k++) {
            String p = parts[k];
            if (embedded != null && k == parts.length - 1 && p.indexOf('.') >= 0) {
                byte[] v4 = ipv4(p);
                if (v4 == null) {
                    return -1;
                }
                System.arraycopy(v4, 0, embedded, 0, 4);
                return n | 0x100;
            }
            if (p.isEmpty() || p.length() > 4 || n >= 8) {
                return -1;
            }
            int v = 0;
            for (int i = 0; i < p.length(); i++) {
                int d = hex(p.charAt(i));
                if (d < 0) {
                    return -1;
                }
                v = v << 4 | d;
            }
            out[n++] = v;
        }
        return n;
    }

    /** ASCII only: Character.digit would also take other scripts' digits. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
