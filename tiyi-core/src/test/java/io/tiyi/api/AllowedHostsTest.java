package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedHostsTest {
    final TiyiConfig base = TiyiConfig.defaults().withServerAddr(new HostPort("0.0.0.0", 8080))
            .withAdvertiseUrl("https://Admin.Example.com:8443", "test");

    @Test
    void configuredNamesPlusAddressesLocalhostAndTheAdvertisedName() {
        AllowedHosts hosts = AllowedHosts.of(base.withAllowedHosts(List.of("tiyi.internal", "[2001:db8::1]"), "test"));
        assertThat(hosts.allows("tiyi.internal:8080")).isTrue();
        assertThat(hosts.allows("TIYI.INTERNAL.")).isTrue();
        assertThat(hosts.allows("admin.example.com:8443")).isTrue();
        assertThat(hosts.allows("localhost")).isTrue();
        assertThat(hosts.allows("ui.localhost:8080")).isTrue();
        assertThat(hosts.allows("10.1.2.3:8080")).isTrue();
        assertThat(hosts.allows("[fe80::1%25eth0]:8080")).isTrue();
        assertThat(hosts.allows("attacker.example")).isFalse();
        assertThat(hosts.allows("tiyi.internal.attacker.example")).isFalse();
        assertThat(hosts.allows("localhost.attacker.example")).isFalse();
        assertThat(hosts.allows("127.0.0.1.nip.io")).isFalse();
    }

    @Test
    void aStarAcceptsAnyHost() {
        assertThat(AllowedHosts.of(base.withAllowedHosts(List.of("*"), "test")).allows("attacker.example")).isTrue();
        assertThat(AllowedHosts.any().allows("attacker.example")).isTrue();
    }

    @Test
    void theHostOfAHeader() {
        assertThat(AllowedHosts.hostOf("Example.COM:80")).isEqualTo("example.com");
        assertThat(AllowedHosts.hostOf("[::1]:8080")).isEqualTo("::1");
        assertThat(AllowedHosts.hostOf("example.com.")).isEqualTo("example.com");
    }
}
