package io.tiyi.waf.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code @ipMatch 10.0.0.0/8,192.168.1.1,2001:db8::/32}: true when the value is an IP address
 * inside one of the comma-separated addresses or CIDR ranges.
 *
 * <p>Addresses are read as {@code inet_pton} reads them, which is what ModSecurity does: an IPv4
 * address is exactly four decimal octets without leading zeros, an IPv6 address has no brackets
 * and no zone. Anything else is not an address. The parsing is done here rather than by
 * {@code InetAddress}, which also accepts forms such as {@code 167772161} or {@code 10.1} and
 * resolves what it cannot parse through DNS: a blocking lookup of request data. An IPv4-mapped
 * IPv6 address ({@code ::ffff:a.b.c.d}) is taken as its IPv4 address.
 */
public final class IpMatch implements Operator {
    private record Net(byte[] addr, int bits) {}

    private final List<Net> nets = new ArrayList<>();

    public IpMatch(String arg) {
        for (String part : arg.split("[,\\s]+")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int slash = p.indexOf('/');
            String host = slash < 0 ? p : p.substring(0, slash);
            byte[] a = host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host, 0, host.length());
            if (a == null) {
                throw new OperatorException("@ipMatch: '" + p + "' is not an IP address or CIDR range");
            }
            int bits = a.length * 8;
            if (slash >= 0) {
                String len = p.substring(slash + 1);
                if (!len.matches("[0-9]{1,3}")) {
                    throw new OperatorException("@ipMatch: '" + p + "' has a bad prefix length");
                }
                bits = Integer.parseInt(len);
                if (bits > a.length * 8) {
                    throw new OperatorException("@ipMatch: '" + p + "' has a prefix length outside 0-" + a.length * 8);
                }
            }
            if (mapped(a) && bits >= 96) {
                // Values in this range are compared as IPv4 (see literal), so the range is kept as IPv4 too.
                a = Arrays.copyOfRange(a, 12, 16);
                bits -= 96;
            }
            nets.add(new Net(a, bits));
        }
    }

    /** The address {@code s} spells (4 or 16 bytes), or null when it is not an address. */
    static byte[] literal(String s) {
        if (s.indexOf(':') < 0) {
            return ipv4(s, 0, s.length());
        }
        byte[] a = ipv6(s);
        return a != null && mapped(a) ? Arrays.copyOfRange(a, 12, 16) : a;
    }

    private static boolean mapped(byte[] a) {
        if (a.length != 16 || a[10] != (byte) 0xff || a[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code s[from, to)} as a dotted quad: four decimal octets of 0-255, no leading zeros. */
    static byte[] ipv4(String s, int from, int to) {
        byte[] out = new byte[4];
        int i = from;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (i >= to || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
            int start = i;
            int v = 0;
            while (i < to && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || v > 255 || i - start > 1 && s.charAt(start) == '0') {
                return null;
            }
            out[part] = (byte) v;
        }
        return i == to ? out : null;
    }

    /** {@code s} as an IPv6 address (RFC 4291 text forms, a dotted IPv4 tail allowed), or null. */
    static byte[] ipv6(String s) {
        int n = s.length();
        int[] g = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < n) {
            if (count == 8) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < n && i - start < 4 && hex(s.charAt(i)) >= 0) {
                v = v * 16 + hex(s.charAt(i));
                i++;
            }
            if (i == start) {
                return null;
            }
            if (i < n && s.charAt(i) == '.') {
                byte[] v4 = count <= 6 ? ipv4(s, start, n) : null;
                if (v4 == null) {
                    return null;
                }
                g[count++] = (v4[0] & 0xff) << 8 | v4[1] & 0xff;
                g[count++] = (v4[2] & 0xff) << 8 | v4[3] & 0xff;
                break;
            }
            g[count++] = v;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int k = 0; k < count; k++) {
            int at = gap < 0 || k < gap ? k : 8 - count + k;
            out[2 * at] = (byte) (g[k] >> 8);
            out[2 * at + 1] = (byte) g[k];
        }
        return out;
    }

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

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        byte[] a = literal(value.trim());
        if (a == null) {
            return false;
        }
        for (Net n : nets) {
            if (n.addr().length != a.length) {
                continue;
            }
            int full = n.bits() / 8;
            int rest = n.bits() % 8;
            boolean ok = true;
            for (int i = 0; i < full && ok; i++) {
                ok = a[i] == n.addr()[i];
            }
            if (ok && rest > 0) {
                int mask = 0xff << (8 - rest);
                ok = (a[full] & mask) == (n.addr()[full] & mask);
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }
}
