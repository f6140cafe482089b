package io.tiyi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("tiyi.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsWithoutFile() {
        TiyiConfig c = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(c.server().addr()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.state().dir()).isEqualTo(Path.of("data"));
        assertThat(c.crypto().kekFile()).isEmpty();
        assertThat(c.auth().jwtSecret()).isEmpty();
    }

    @Test
    void readsEveryKey() throws IOException {
        Path f = yaml("""
                server:
                  addr: "0.0.0.0:9090"
                state:
                  dir: /var/lib/tiyi
                crypto:
                  kek_file: /etc/tiyi/kek.bin
                auth:
                  jwt_secret: "0123456789abcdef0123456789abcdef"
                """);
        TiyiConfig c = ConfigLoader.load(Optional.of(f), Map.of());
        assertThat(c.server().addr()).isEqualTo(new HostPort("0.0.0.0", 9090));
        assertThat(c.state().dir()).isEqualTo(Path.of("/var/lib/tiyi"));
        assertThat(c.crypto().kekFile()).contains(Path.of("/etc/tiyi/kek.bin"));
        assertThat(c.auth().jwtSecret()).contains("0123456789abcdef0123456789abcdef");
        assertThat(c.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void allowedHostsAreNamesAddressesOrAStarCheckedOneByOne() throws IOException {
        Path ok = yaml("api:\n  allowed_hosts: [Admin.Example.com., '[2001:db8::1]', 10.0.0.5, '*']\n");
        assertThat(ConfigLoader.load(Optional.of(ok), Map.of()).api().allowedHosts())
                .contains(java.util.List.of("admin.example.com", "2001:db8::1", "10.0.0.5", "*"));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).api().allowedHosts()).isEmpty();
        Path withPort = yaml("api:\n  allowed_hosts: [admin.example.com, 'https://admin.example.com:8443']\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(withPort), Map.of())).hasMessageContaining("api.allowed_hosts[1]")
                .hasMessageContaining("'https://admin.example.com:8443' is not a host name").hasMessageContaining("tiyi.yaml");
        Path notAList = yaml("api:\n  allowed_hosts: admin.example.com\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(notAList), Map.of())).hasMessageContaining("'api.allowed_hosts'")
                .hasMessageContaining("a list");
        Path blank = yaml("api:\n  allowed_hosts: ['']\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(blank), Map.of())).hasMessageContaining("api.allowed_hosts[0]");
    }

    @Test
    void advertiseUrlIsAnApiUrlWithoutAPath() throws IOException {
        Path ok = yaml("server:\n  addr: 0.0.0.0:8080\n  advertise_url: http://cp-a.internal:8080/\n");
        assertThat(ConfigLoader.load(Optional.of(ok), Map.of()).server().advertiseUrl()).contains("http://cp-a.internal:8080");
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).server().advertiseUrl()).isEmpty();
        Path bad = yaml("server:\n  advertise_url: cp-a.internal:8080/api\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(bad), Map.of())).hasMessageContaining("server.advertise_url")
                .hasMessageContaining("expected http://host:port");
    }

    @Test
    void unknownKeyNamesKeyAndFile() throws IOException {
        Path f = yaml("crypto:\n  kek_fle: /x\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config " + f)
                .hasMessageContaining("unknown key 'crypto.kek_fle'")
                .hasMessageContaining("kek_file");
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        Path f = yaml("sever:\n  addr: 1.2.3.4:1\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of())).hasMessageContaining("unknown key 'sever'");
    }

    @Test
    void wrongTypeNamesKey() throws IOException {
        Path f = yaml("server:\n  addr: [1, 2]\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of()))
                .hasMessageContaining("key 'server.addr' has the wrong type").hasMessageContaining(f.toString());
        Path g = yaml("auth:\n  jwt_secret: 12345\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(g), Map.of())).hasMessageContaining("'auth.jwt_secret'");
    }

    @Test
    void shortJwtSecretNamesKeyAndFile() throws IOException {
        Path f = yaml("auth:\n  jwt_secret: short\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of()))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("auth.jwt_secret must be at least 32 bytes, got 5")
                .hasMessageNotContaining("short");
    }

    @Test
    void badAddressNamesKey() throws IOException {
        Path f = yaml("server:\n  addr: nohost\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of()))
                .hasMessageContaining("key 'server.addr'").hasMessageContaining("host:port");
    }

    @Test
    void environmentOverridesFile() throws IOException {
        Path f = yaml("auth:\n  jwt_secret: \"from-file-0123456789abcdef0123456789\"\nstate:\n  dir: /a\n");
        TiyiConfig c = ConfigLoader.load(Optional.of(f), Map.of(
                ConfigLoader.ENV_JWT_SECRET, "from-env-0123456789abcdef0123456789ab",
                ConfigLoader.ENV_STATE_DIR, "/b"));
        assertThat(c.auth().jwtSecret()).contains("from-env-0123456789abcdef0123456789ab");
        assertThat(c.state().dir()).isEqualTo(Path.of("/b"));
    }

    @Test
    void shortEnvironmentSecretNamesVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(ConfigLoader.ENV_JWT_SECRET, "x")))
                .hasMessageContaining("environment variable TIYI_AUTH_JWT_SECRET");
    }

    @Test
    void emptyFileMeansDefaults() throws IOException {
        Path f = yaml("");
        assertThat(ConfigLoader.load(Optional.of(f), Map.of()).server().addr()).isEqualTo(TiyiConfig.DEFAULT_ADDR);
    }

    @Test
    void missingFileAndBadYaml() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir.resolve("nope.yaml")), Map.of()))
                .hasMessageContaining("file not found");
        Path f = yaml("server: [\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of())).hasMessageContaining("not valid YAML");
    }

    @Test
    void hostPortParsing() {
        assertThat(HostPort.parse("[::1]:80", "x")).isEqualTo(new HostPort("::1", 80));
        assertThatThrownBy(() -> HostPort.parse("h:99999", "--addr")).hasMessageContaining("--addr").hasMessageContaining("99999");
        assertThatThrownBy(() -> HostPort.parse("::1:80", "--addr")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostPort.parse("h:x", "--addr")).hasMessageContaining("port must be a number");
    }
}
