package io.tiyi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void ipv4RangesContainTheirAddressesOnly() {
        Cidr c = Cidr.parse("10.0.0.0/8");
        assertThat(c.contains("10.0.0.0")).isTrue();
        assertThat(c.contains("10.255.255.255")).isTrue();
        assertThat(c.contains("11.0.0.0")).isFalse();
        assertThat(c.contains("9.255.255.255")).isFalse();
        assertThat(Cidr.parse("172.16.0.0/12").contains("172.31.1.1")).isTrue();
        assertThat(Cidr.parse("172.16.0.0/12").contains("172.32.0.1")).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
        assertThat(Cidr.parse("192.0.2.0/25").contains("192.0.2.127")).isTrue();
        assertThat(Cidr.parse("192.0.2.0/25").contains("192.0.2.128")).isFalse();
    }

    @Test
    void aBareAddressIsASingleAddressRange() {
        assertThat(Cidr.parse("192.0.2.7")).hasToString("192.0.2.7/32");
        assertThat(Cidr.parse("192.0.2.7").contains("192.0.2.7")).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains("192.0.2.8")).isFalse();
        assertThat(Cidr.parse("2001:db8::1")).hasToString("2001:db8::1/128");
        assertThat(Cidr.parse("2001:db8::1").contains("2001:db8:0:0::1")).isTrue();
    }

    @Test
    void ipv6RangesContainTheirAddressesOnly() {
        Cidr c = Cidr.parse("2001:db8::/32");
        assertThat(c.contains("2001:db8::1")).isTrue();
        assertThat(c.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(c.contains("2001:db9::1")).isFalse();
        assertThat(Cidr.parse("2a06:98c0::/29").contains("2a06:98c7:1::1")).isTrue();
        assertThat(Cidr.parse("2a06:98c0::/29").contains("2a06:98c8::1")).isFalse();
        assertThat(Cidr.parse("::/0").contains("::1")).isTrue();
    }

    @Test
    void otherFamiliesAndMalformedAddressesAreNotContained() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("::1")).isFalse();
        assertThat(Cidr.parse("::/0").contains("1.2.3.4")).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains("10.0.0")).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(null)).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains("localhost")).isFalse();
    }

    @Test
    void ipv4MappedAddressesMatchIpv4Ranges() {
        assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:10.1.2.3")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:a01:203")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("[::ffff:10.1.2.3]:443")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:11.1.2.3")).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains("::10.1.2.3")).as("IPv4-compatible is not mapped").isFalse();
        assertThat(Cidr.parse("::ffff:10.0.0.0/104").containsAddress(Cidr.literal("10.1.2.3"))).as("mapped range, IPv4 address").isTrue();
        assertThat(Cidr.parse("::ffff:10.0.0.0/104").containsAddress(Cidr.literal("11.1.2.3"))).isFalse();
        assertThat(Cidr.parse("::/0").containsAddress(Cidr.literal("10.1.2.3"))).as("only the mapped block maps").isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8",
            "10.1.2.3/8, 10.0.0.0/8",
            " 10.0.0.0/8 , 10.0.0.0/8",
            "0.0.0.0/0, 0.0.0.0/0",
            "2001:DB8::/32, 2001:db8::/32",
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1/128",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1/128",
            "::, ::/128",
            "::1, ::1/128",
            "1::, 1::/128",
            "::ffff:192.0.2.1, ::ffff:192.0.2.1/128",
            "::ffff:0:0/96, ::ffff:0.0.0.0/96",
            "fe80::1:2:3:4/64, fe80::/64",
    })
    void canonicalForm(String in, String canonical) {
        assertThat(Cidr.parse(in)).hasToString(canonical);
        assertThat(Cidr.parse(canonical)).isEqualTo(Cidr.parse(in)).hasSameHashCodeAs(Cidr.parse(in));
    }

    @Test
    void badPrefixLengthsSayWhatIsExpected() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'10.0.0.0/33' is not a CIDR: IPv4 prefix length must be 0 to 32");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessage("'2001:db8::/129' is not a CIDR: IPv6 prefix length must be 0 to 128");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/")).hasMessageContaining("'10.0.0.0/'").hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/-1")).hasMessageContaining("'10.0.0.0/-1'");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/8/8")).hasMessageContaining("'10.0.0.0/8/8'");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/1000")).hasMessageContaining("'10.0.0.0/1000'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "example.com", "localhost", "10.0.0", "10.0.0.0.0", "256.0.0.0", "1.2.3.-4", "010.0.0.1", "0x7f.0.0.1",
            "1.2.3.4 x", "1..2.3", "2001:db8:::1", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "1::2:",
            "fe80::1%eth0", "[::1]", "::ffff:1.2.3", "1.2.3.4:80", "١٢.٣.٤.٥", "２::"})
    void malformedEntriesAreRefusedWithTheEntryAndWhatIsExpected(String bad) {
        assertThatThrownBy(() -> Cidr.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + bad + "' is not a CIDR: ")
                .hasMessageContaining("expected an IPv4 or IPv6 address");
    }

    @Test
    void nullIsRefusedWithAMessage() {
        assertThatThrownBy(() -> Cidr.parse(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CIDR");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.2.3.4|1.2.3.4",
            "0.0.0.0|0.0.0.0",
            "255.255.255.255|255.255.255.255",
            "1.2.3.4:80|1.2.3.4",
            "::1|::1",
            "[::1]|::1",
            "[::1]:80|::1",
            "[2001:db8::1]:65535|2001:db8::1",
            "::ffff:1.2.3.4|::ffff:1.2.3.4",
            "[::ffff:1.2.3.4]:8080|::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304",
            "2001:DB8::A|2001:db8::a",
    })
    void addressesParseWithoutDns(String literal, String formatted) {
        assertThat(Cidr.parseAddress(literal)).hasValueSatisfying(b -> assertThat(Cidr.format(b)).isEqualTo(formatted));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:x", "[::1", "[::1]80", "[::1]:", "[1.2.3.4]",
            "::1:80:", "1.2.3.4:80:90", "unknown", "_hidden", "[::1]:123456", "1.2.3"})
    void malformedAddressesAreEmpty(String literal) {
        assertThat(Cidr.parseAddress(literal)).isEmpty();
    }

    @Test
    void nullAddressIsEmpty() {
        assertThat(Cidr.parseAddress(null)).isEmpty();
    }

    @Test
    void parsedAddressesHaveTheirFamilyLength() {
        assertThat(Cidr.parseAddress("1.2.3.4")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3, 4));
        assertThat(Cidr.parseAddress("::ffff:1.2.3.4")).hasValueSatisfying(b -> assertThat(b).hasSize(16));
    }
}
