package io.tiyi.client.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.tiyi.internal.Json;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The descriptors say what they are named (a typo would send a request nowhere), and the request
 * records write the snake_case fields the UI and docs/api.md know.
 */
class RpcContractTest {
    static List<Field> descriptors() {
        List<Field> out = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tiyi.client.rpc")) {
            for (Field f : c.reflect().getDeclaredFields()) {
                if (f.getType() == Rpc.class && Modifier.isStatic(f.getModifiers())) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    @Test
    void everyDescriptorIsNamedAfterItsServiceAndMethod() throws Exception {
        List<Field> all = descriptors();
        assertThat(all).hasSizeGreaterThan(70);
        Set<String> names = new HashSet<>();
        for (Field f : all) {
            Rpc<?, ?> rpc = (Rpc<?, ?>) f.get(null);
            assertThat(rpc.service()).as(f.toString()).isEqualTo(f.getDeclaringClass().getField("NAME").get(null))
                    .isEqualTo(f.getDeclaringClass().getSimpleName());
            assertThat(f.getName()).as(f.toString()).isEqualTo(rpc.method().replaceAll("(?<=[a-z])(?=[A-Z])", "_").toUpperCase());
            assertThat(names.add(rpc.fullName())).as("%s is declared once", rpc.fullName()).isTrue();
        }
    }

    @Test
    void requestsWriteTheWireNames() throws Exception {
        JsonNode put = Json.MAPPER.readTree(Json.write(new SitesService.PutRequest("shop", List.of("shop.test"), List.of("http://u"), "least_conn",
                "/healthz", "c")));
        assertThat(put.fieldNames()).toIterable().containsExactly("certificate", "health_path", "hosts", "lb", "name", "upstreams");
        JsonNode exclude = Json.MAPPER.readTree(Json.write(new WafService.ExcludeRequest("shop", 942100L, null, "/api", "POST", "ARGS")));
        assertThat(exclude.get("rule_id").asLong()).isEqualTo(942100L);
        assertThat(exclude.get("path_prefix").asText()).isEqualTo("/api");
        JsonNode pull = Json.MAPPER.readTree(Json.write(new ReplicationService.PullRequest(7, 0L, 500)));
        assertThat(pull.fieldNames()).toIterable().containsExactly("after_seq", "limit", "timeout_ms");
        assertThat(Json.MAPPER.readTree(Json.write(new AlertsService.ListRequest(10, true, null, null))).has("unacked_only")).isTrue();
        assertThat(Json.MAPPER.readTree(Json.write(Empty.INSTANCE)).size()).isZero();
    }
}
