package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.tiyi.trust.ClientIpResolver.Resolution;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random trust sets and header chains against the invariants of rightmost-untrusted resolution.
 * Membership is decided here by an independent oracle (prefix compare on BigIntegers), not by
 * {@link Cidr#contains}, so a bug in either shows up as a disagreement.
 */
class ClientIpResolverPropertyTest {
    static final int CASES = 3000;

    record Net(byte[] network, int prefix) {
        boolean has(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int shift = a.length * 8 - prefix;
            return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
        }

        String text() {
            return (network.length == 4 ? Cidr.format(network) : full(network)) + "/" + prefix;
        }
    }

    /** One chain entry: the address (null when malformed) and how it is written. */
    record Entry(byte[] address, String text) {}

    static String full(byte[] a) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            b.append(i == 0 ? "" : ":").append(Integer.toHexString((a[i] & 0xff) << 8 | a[i + 1] & 0xff));
        }
        return b.toString();
    }

    static final String[] MALFORMED = {"unknown", "_hidden", "_SEVKISEK", "999.1.1.1", "1.2.3", "1.2.3.4.5", "example.com", "", "01.2.3.4",
            "::1::2", "[::1", "1.2.3.4:99999", "g::1", "-", "localhost", "1.2.3.4 5", "[1.2.3.4]", "::ffff:1.2.3", "0x7f000001"};

    final Random rnd;
    final List<Net> trusted = new ArrayList<>();

    ClientIpResolverPropertyTest() {
        this.rnd = new Random(0);
    }

    byte[] randomAddress(boolean v4) {
        byte[] a = new byte[v4 ? 4 : 16];
        rnd.nextBytes(a);
        return a;
    }

    Net randomNet() {
        boolean v4 = rnd.nextInt(3) > 0;
        int prefix = v4 ? 8 + rnd.nextInt(23) : 16 + rnd.nextInt(49);
        byte[] a = randomAddress(v4);
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            m[i] = (byte) (m[i] & (0xff << (8 - keep)));
        }
        return new Net(m, prefix);
    }

    boolean isTrusted(byte[] a) {
        return trusted.stream().anyMatch(n -> n.has(a));
    }

    byte[] trustedAddress() {
        Net n = trusted.get(rnd.nextInt(trusted.size()));
        byte[] a = randomAddress(n.network().length == 4);
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, n.prefix() - 8 * i));
            int mask = 0xff << (8 - keep) & 0xff;
            a[i] = (byte) (n.network()[i] & mask | a[i] & ~mask);
        }
        return a;
    }

    byte[] untrustedAddress() {
        while (true) {
            byte[] a = randomAddress(rnd.nextInt(3) > 0);
            if (!isTrusted(a)) {
                return a;
            }
        }
    }

    /** An address written as a proxy might: plain, v6 uncompressed or compressed, with a port, in brackets. */
    String write(byte[] a, boolean forwarded) {
        int port = 1 + rnd.nextInt(65535);
        if (a.length == 4) {
            String s = Cidr.format(a);
            if (rnd.nextInt(4) == 0) {
                s = s + ":" + port;
                return forwarded ? "\"" + s + "\"" : s;
            }
            return s;
        }
        String s = rnd.nextBoolean() ? full(a) : Cidr.format(a);
        if (rnd.nextBoolean()) {
            s = rnd.nextBoolean() ? s.toUpperCase() : s;
        }
        if (forwarded) {
            return "\"[" + s + "]" + (rnd.nextBoolean() ? ":" + port : "") + "\"";
        }
        return switch (rnd.nextInt(3)) {
            case 0 -> "[" + s + "]:" + port;
            case 1 -> "[" + s + "]";
            default -> s;
        };
    }

    Entry entry(boolean forwarded) {
        return switch (rnd.nextInt(3)) {
            case 0 -> {
                byte[] a = trustedAddress();
                yield new Entry(a, write(a, forwarded));
            }
            case 1 -> {
                byte[] a = untrustedAddress();
                yield new Entry(a, write(a, forwarded));
            }
            default -> new Entry(null, MALFORMED[rnd.nextInt(MALFORMED.length)]);
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void invariantsHoldOnRandomChains(long seed) {
        rnd.setSeed(seed);
        for (int c = 0; c < CASES; c++) {
            trusted.clear();
            int nets = 1 + rnd.nextInt(4);
            for (int i = 0; i < nets; i++) {
                trusted.add(randomNet());
            }
            boolean forwarded = rnd.nextInt(3) == 0;
            String header = forwarded ? "Forwarded" : "X-Forwarded-For";
            TrustProfile profile = new TrustProfile(trusted.stream().map(Net::text).distinct().toList(), List.of(header), List.of());
            List<Entry> chain = new ArrayList<>();
            int len = rnd.nextInt(7);
            for (int i = 0; i < len; i++) {
                chain.add(entry(forwarded));
            }
            byte[] peer = rnd.nextBoolean() ? trustedAddress() : untrustedAddress();
            String peerText = write(peer, false);
            List<String> lines = lines(chain, forwarded);
            Function<String, List<String>> headers = name -> name.equalsIgnoreCase(header) ? lines : List.of();
            String context = "seed " + seed + " case " + c + ": trusted " + profile.trustedProxies() + ", peer " + peerText + ", "
                    + header + " " + lines;

            Resolution r = new ClientIpResolver(profile, Map.of()).resolve(peerText, headers);

            assertThat(Cidr.parseAddress(r.client())).as("client is an address: " + context).isPresent();
            assertThat(r.peer()).as(context).isEqualTo(Cidr.format(peer));
            if (!isTrusted(peer)) {
                assertThat(r.client()).as("untrusted peer is the client: " + context).isEqualTo(Cidr.format(peer));
                assertThat(r.peerTrusted()).isFalse();
                assertThat(r.bypassAttempt()).as(context).isEqualTo(!lines.isEmpty());
                continue;
            }
            assertThat(r.peerTrusted()).as(context).isTrue();
            int rightmostUntrusted = -1;
            for (int i = chain.size() - 1; i >= 0 && rightmostUntrusted < 0; i--) {
                if (chain.get(i).address() != null && !isTrusted(chain.get(i).address())) {
                    rightmostUntrusted = i;
                }
            }
            if (rightmostUntrusted >= 0) {
                assertThat(r.client()).as("rightmost untrusted: " + context).isEqualTo(Cidr.format(chain.get(rightmostUntrusted).address()));
                long skippedMalformed = chain.subList(rightmostUntrusted + 1, chain.size()).stream().filter(e -> e.address() == null).count();
                assertThat(r.malformed()).as(context).isEqualTo((int) skippedMalformed);
            } else {
                String expected = chain.stream().filter(e -> e.address() != null).findFirst().map(e -> Cidr.format(e.address()))
                        .orElse(Cidr.format(peer));
                assertThat(r.client()).as("leftmost or peer: " + context).isEqualTo(expected);
                assertThat(r.malformed()).as(context).isEqualTo((int) chain.stream().filter(e -> e.address() == null).count());
            }
            assertThat(r.steps()).as(context).isNotEmpty();
        }
    }

    /** The chain as one or more header lines, split at random between entries. */
    List<String> lines(List<Entry> chain, boolean forwarded) {
        List<String> lines = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        int inLine = 0;
        for (int i = 0; i < chain.size(); i++) {
            String e = chain.get(i).text();
            if (forwarded) {
                e = switch (rnd.nextInt(3)) {
                    case 0 -> "for=" + quoteIfNeeded(e);
                    case 1 -> "proto=https;For=" + quoteIfNeeded(e);
                    default -> "for=" + quoteIfNeeded(e) + ";by=10.0.0.1";
                };
            }
            if (inLine++ > 0) {
                b.append(rnd.nextBoolean() ? ", " : ",");
            }
            b.append(e);
            if (i < chain.size() - 1 && rnd.nextInt(4) == 0) {
                lines.add(b.toString());
                b.setLength(0);
                inLine = 0;
            }
        }
        if (!chain.isEmpty()) {
            lines.add(b.toString());
        }
        return lines;
    }

    static String quoteIfNeeded(String v) {
        if (v.startsWith("\"")) {
            return v;
        }
        // Malformed entries are written as the token they are, or quoted when they are not a token.
        return v.isEmpty() || v.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "._-".indexOf(ch) >= 0) ? v : "\"" + v + "\"";
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void resolveNeverThrowsOnGarbage(long seed) {
        rnd.setSeed(seed);
        TrustProfile profile = new TrustProfile(List.of("0.0.0.0/0", "::/0"), TrustProfile.SUPPORTED_HEADERS, List.of());
        ClientIpResolver resolver = new ClientIpResolver(profile, Map.of());
        String alphabet = "0123456789abcdefABCDEF.:[]/,;=\" \t\\_-%fFoOrRxX\u0000\r\n\u00ff\u0663\uff12";
        for (int c = 0; c < CASES; c++) {
            List<String> values = new ArrayList<>();
            int n = rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (rnd.nextBoolean()) {
                    byte[] bytes = new byte[rnd.nextInt(80)];
                    rnd.nextBytes(bytes);
                    values.add(new String(bytes, rnd.nextBoolean() ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
                } else {
                    StringBuilder b = new StringBuilder();
                    int len = rnd.nextInt(60);
                    for (int k = 0; k < len; k++) {
                        b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                    }
                    values.add(rnd.nextInt(5) == 0 ? "for=" + b : b.toString());
                }
            }
            if (rnd.nextInt(10) == 0) {
                values.add(null);
            }
            List<String> v = values;
            String peer = rnd.nextInt(10) == 0 ? v.isEmpty() ? null : v.get(0) : write(randomAddress(rnd.nextBoolean()), false);
            String only = TrustProfile.SUPPORTED_HEADERS.get(rnd.nextInt(TrustProfile.SUPPORTED_HEADERS.size()));
            Function<String, List<String>> headers = name -> name.equalsIgnoreCase(only) ? v : List.of();
            String context = "seed " + seed + " case " + c + ": peer " + peer + ", " + only + " " + Arrays.toString(v.toArray());
            assertThatCode(() -> {
                Resolution r = resolver.resolve(peer, headers);
                assertThat(r.steps()).isNotEmpty();
                if (Cidr.parseAddress(peer).isPresent()) {
                    assertThat(Cidr.parseAddress(r.client())).as(context).isPresent();
                }
            }).as(context).doesNotThrowAnyException();
        }
    }
}
