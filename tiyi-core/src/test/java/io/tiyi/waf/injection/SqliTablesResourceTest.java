package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The product carries its SQL injection tables in its own resource, derived from libinjection's
 * {@code sqlparse_data.json}; this test is the derivation. It fails when the checked-in resource
 * no longer matches the fixture, and {@code -Dtiyi.regenerate=true} rewrites the resource.
 */
class SqliTablesResourceTest {
    private static final Path SOURCE = Path.of("../../shared/libinjection/sqlparse_data.json");
    private static final Path RESOURCE = Path.of("src/main/resources" + SqliTables.RESOURCE);

    static String derive(JsonNode root) {
        StringBuilder sb = new StringBuilder();
        sb.append("# SQL tables of Tiyi's @detectSQLi, derived from libinjection's sqlparse_data.json.\n");
        sb.append("# libinjection: Copyright (c) 2012-2016 Nick Galbreath, BSD-3-Clause; see NOTICE beside this file.\n");
        sb.append("# Lines: c <byte> <char class> | k <keyword type> <keyword> | f <fingerprint>.\n");
        JsonNode charmap = root.get("charmap");
        for (int b = 0; b < 256; b++) {
            sb.append("c ").append(b).append(' ').append(charmap.get(b).asText()).append('\n');
        }
        Map<String, String> keywords = new TreeMap<>();
        root.get("keywords").properties().forEach(e -> keywords.put(e.getKey(), e.getValue().asText()));
        keywords.forEach((k, type) -> sb.append("k ").append(type).append(' ').append(k).append('\n'));
        TreeSet<String> fingerprints = new TreeSet<>();
        root.get("fingerprints").forEach(f -> fingerprints.add(f.asText()));
        fingerprints.forEach(f -> sb.append("f ").append(f).append('\n'));
        return sb.toString();
    }

    @Test
    void resourceIsDerivedFromLibinjectionsData() throws IOException {
        if (!Files.isRegularFile(SOURCE)) {
            String why = "libinjection fixture " + SOURCE.toAbsolutePath().normalize() + " is missing";
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail(why + " (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort(why);
        }
        String expected = derive(new ObjectMapper().readTree(SOURCE.toFile()));
        if (Boolean.getBoolean("tiyi.regenerate")) {
            Files.writeString(RESOURCE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(RESOURCE, StandardCharsets.UTF_8))
                .as("%s is out of date: run this test with -Dtiyi.regenerate=true", RESOURCE)
                .isEqualTo(expected);
    }

    @Test
    void theJarCarriesTheTablesAndTheirNotice() {
        assertThat(SqliTables.class.getResource(SqliTables.RESOURCE)).isNotNull();
        assertThat(SqliTables.class.getResource("/io/tiyi/waf/injection/NOTICE")).isNotNull();
        SqliTables.preload();
        assertThat(Sqli.detect("1' or '1'='1").injection()).isTrue();
    }

    @Test
    void damagedTablesAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> SqliTables.load(new ByteArrayInputStream("c 0 CHAR_WHITE\nx y\n".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("unknown line kind 'x'");
        assertThatThrownBy(() -> SqliTables.load(new ByteArrayInputStream("c 0 CHAR_WHITE\nk E SELECT\nf 1UE\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("no char class for byte 1");
        assertThatThrownBy(() -> SqliTables.load(new ByteArrayInputStream("c 300 CHAR_WHITE\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("line 1");
    }
}
