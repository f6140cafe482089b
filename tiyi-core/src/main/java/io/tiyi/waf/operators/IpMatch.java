package io.tiyi.waf.operators;

import io.tiyi.internal.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @ipMatch 10.0.0.0/8,192.168.1.1,2001:db8::/32}: true when the value is an IP address
 * inside one of the comma-separated addresses or CIDR ranges.
 *
 * <p>Addresses are read as {@code inet_pton} reads them, which is what ModSecurity does: an IPv4
 * address is exactly four decimal octets without leading zeros, an IPv6 address has no brackets
 * and no zone. Anything else is not an address. Parsing is {@link Cidr}'s, shared with the trust
 * profile, rather than {@code InetAddress}'s, which also accepts forms such as {@code 167772161}
 * or {@code 10.1} and resolves what it cannot parse through DNS: a blocking lookup of request
 * data. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is the IPv4 address it carries.
 */
final class IpMatch implements Operator {
    private final List<Cidr> nets = new ArrayList<>();

    public IpMatch(String arg) {
        for (String part : arg.split("[,\\s]+")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.indexOf('[') >= 0 || Cidr.literal(p.indexOf('/') < 0 ? p : p.substring(0, p.indexOf('/'))) == null) {
                throw new OperatorException("@ipMatch: '" + p + "' is not an IP address or CIDR range");
            }
            try {
                nets.add(Cidr.parse(p));
            } catch (IllegalArgumentException e) {
                throw new OperatorException("@ipMatch: " + e.getMessage());
            }
        }
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        byte[] a = Cidr.literal(value.trim());
        if (a == null) {
            return false;
        }
        for (Cidr n : nets) {
            if (n.containsAddress(a)) {
                return true;
            }
        }
        return false;
    }
}
