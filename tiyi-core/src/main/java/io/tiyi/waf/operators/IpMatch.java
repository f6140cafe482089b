package io.tiyi.waf.operators;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @ipMatch 10.0.0.0/8,192.168.1.1,2001:db8::/32}: true when the value is an IP address
 * inside one of the comma-separated addresses or CIDR ranges.
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
            byte[] a = literal(slash < 0 ? p : p.substring(0, slash));
            if (a == null) {
                throw new OperatorException("@ipMatch: '" + p + "' is not an IP address or CIDR range");
            }
            int bits = a.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(p.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new OperatorException("@ipMatch: '" + p + "' has a bad prefix length");
                }
                if (bits < 0 || bits > a.length * 8) {
                    throw new OperatorException("@ipMatch: '" + p + "' has a prefix length outside 0-" + a.length * 8);
                }
            }
            nets.add(new Net(a, bits));
        }
    }

    /** Parses an IP literal without DNS; null when it is not one. */
    static byte[] literal(String s) {
        if (s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
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
