package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.TiyiNode;
import io.tiyi.alerts.AlertMutations;
import io.tiyi.alerts.Alerts;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.TestCerts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Server-side filter and paging of the list methods a web UI pages through. */
class ListPagingTest {
    record Item(String name, String tag) {}

    static final List<Item> ITEMS = List.of(new Item("shop", "edge"), new Item("blog", null), new Item("Shopify", "b"),
            new Item("docs", "SHOPPING"), new Item("api", "x"));

    static Paging.Page<Item> page(String filter, Integer offset, Integer limit) {
        return Paging.page(ITEMS, filter, offset, limit, i -> Stream.of(i.name(), i.tag()));
    }

    static List<String> names(Paging.Page<Item> p) {
        return p.items().stream().map(Item::name).toList();
    }

    @Test
    void noFilterKeepsTheListAndItsOrder() {
        for (String blank : new String[] {null, "", "   "}) {
            Paging.Page<Item> p = page(blank, null, null);
            assertThat(p.items()).isEqualTo(ITEMS);
            assertThat(p.total()).isEqualTo(5);
        }
    }

    @Test
    void theFilterIsATrimmedCaseInsensitiveSubstringOfAnyText() {
        Paging.Page<Item> p = page("  SHO ", null, null);
        assertThat(names(p)).as("by name, by name in another case, by another text; a null text is skipped")
                .containsExactly("shop", "Shopify", "docs");
        assertThat(p.total()).isEqualTo(3);
        assertThat(names(page("edg", null, null))).containsExactly("shop");
        assertThat(page("nothing", null, null)).isEqualTo(new Paging.Page<Item>(List.of(), 0));
    }

    @Test
    void offsetAndLimitCutThePageAndTotalCountsEveryMatch() {
        assertThat(names(page("sho", 0, 2))).containsExactly("shop", "Shopify");
        assertThat(names(page("sho", 1, 2))).containsExactly("Shopify", "docs");
        assertThat(names(page("sho", 2, 1000))).containsExactly("docs");
        Paging.Page<Item> past = page("sho", 3, 2);
        assertThat(past.items()).isEmpty();
        assertThat(past.total()).as("a page past the end still says how many there are").isEqualTo(3);
        assertThat(page(null, Integer.MAX_VALUE, 1000).items()).isEmpty();
        assertThat(page(null, 4, 1000).total()).isEqualTo(5);
    }

    @Test
    void theDefaultLimitCapsALongList() {
        List<Integer> many = IntStream.range(0, 250).boxed().toList();
        Paging.Page<Integer> p = Paging.page(many, null, null, null, i -> Stream.of(String.valueOf(i)));
        assertThat(p.items()).hasSize(100).startsWith(0).endsWith(99);
        assertThat(p.total()).isEqualTo(250);
        assertThat(Paging.page(many, null, 200, 1000, i -> Stream.of(String.valueOf(i))).items()).hasSize(50).startsWith(200);
    }

    @Test
    void badOffsetsAndLimitsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> page(null, -1, null)).isInstanceOfSatisfying(TiyiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessage("offset must be 0 or more, got -1");
        assertThatThrownBy(() -> page(null, null, 0)).hasMessage("limit must be from 1 to 1000, got 0");
        assertThatThrownBy(() -> page(null, null, 1001)).hasMessage("limit must be from 1 to 1000, got 1001");
        assertThat(page(null, null, 1000).items()).hasSize(5);
    }

    /** The list methods of a real node, called as the CLI and the web UI call them. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ThroughANode {
        @RegisterExtension
        static final NodeExtension NODE = NodeExtension.primary();

        TiyiNode node;
        TiyiClient api;

        @BeforeAll
        void start() {
            node = NODE.node();
            api = node.client();
            site("shop", "shop.test", "http://127.0.0.1:9001");
            site("blog", "blog.test", "http://127.0.0.1:9002");
            site("shop-eu", "eu.example.test", "http://shop-backend.internal:80");
            for (String[] u : new String[][] {{"alice", "operator"}, {"bob", "viewer"}, {"carol", "viewer"}}) {
                api.raw("UsersService", "Create", Map.of("name", u[0], "role", u[1], "password", "a long enough password 1"));
            }
        }

        void site(String name, String host, String upstream) {
            api.raw("SitesService", "Create", Map.of("name", name, "hosts", List.of(host), "upstreams", List.of(upstream)));
        }

        List<String> field(JsonNode list, String key) {
            List<String> out = new ArrayList<>();
            list.forEach(n -> out.add(n.get(key).asText()));
            return out;
        }

        @Test
        void sitesFilterByNameHostOrUpstreamAndPage() {
            JsonNode all = api.raw("SitesService", "List", Map.of());
            assertThat(field(all.get("sites"), "name")).as("what clients that send {} always got").containsExactly("blog", "shop", "shop-eu");
            assertThat(all.get("total").asInt()).isEqualTo(3);
            JsonNode one = api.raw("SitesService", "List", Map.of("filter", "sho", "limit", 1));
            assertThat(field(one.get("sites"), "name")).containsExactly("shop");
            assertThat(one.get("total").asInt()).isEqualTo(2);
            JsonNode next = api.raw("SitesService", "List", Map.of("filter", "sho", "limit", 1, "offset", 1));
            assertThat(field(next.get("sites"), "name")).containsExactly("shop-eu");
            assertThat(field(api.raw("SitesService", "List", Map.of("filter", "BLOG.TEST")).get("sites"), "name")).containsExactly("blog");
            assertThat(field(api.raw("SitesService", "List", Map.of("filter", "backend.internal")).get("sites"), "name"))
                    .containsExactly("shop-eu");
        }

        @Test
        void usersFilterByNameOrRole() {
            JsonNode all = api.raw("UsersService", "List", Map.of());
            assertThat(field(all.get("users"), "name")).containsExactly("admin", "alice", "bob", "carol");
            assertThat(all.get("total").asInt()).isEqualTo(4);
            JsonNode viewers = api.raw("UsersService", "List", Map.of("filter", "Viewer"));
            assertThat(field(viewers.get("users"), "name")).containsExactly("bob", "carol");
            assertThat(viewers.get("total").asInt()).isEqualTo(2);
            JsonNode page = api.raw("UsersService", "List", Map.of("offset", 3, "limit", 2));
            assertThat(field(page.get("users"), "name")).containsExactly("carol");
            assertThat(page.get("total").asInt()).isEqualTo(4);
        }

        @Test
        void certificatesFilterByNameOrDnsNameAndReleasesAnswerWithATotal() {
            TestCerts.Pem pem = TestCerts.valid("paging.test", "paging.test", "www.paging.test");
            api.raw("CertificatesService", "Import", Map.of("name", "main", "cert_pem", pem.certPem(), "key_pem", pem.keyPem()));
            JsonNode byName = api.raw("CertificatesService", "List", Map.of("filter", "WWW.PAGING"));
            assertThat(field(byName.get("certificates"), "name")).containsExactly("main");
            assertThat(byName.get("total").asInt()).isEqualTo(1);
            assertThat(api.raw("CertificatesService", "List", Map.of("filter", "other")).get("total").asInt()).isZero();
            JsonNode releases = api.raw("ReleasesService", "List", Map.of());
            assertThat(releases.get("releases")).isEmpty();
            assertThat(releases.get("total").asInt()).isZero();
        }

        @Test
        void badPagingIsA400NamingTheField() {
            for (String service : List.of("SitesService", "UsersService", "CertificatesService", "ReleasesService")) {
                assertThatThrownBy(() -> api.raw(service, "List", Map.of("offset", -1))).as(service)
                        .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                        .hasMessageContaining("offset must be 0 or more, got -1");
                assertThatThrownBy(() -> api.raw(service, "List", Map.of("limit", 0))).as(service)
                        .hasMessageContaining("limit must be from 1 to 1000, got 0");
            }
            assertThatThrownBy(() -> api.raw("AuditService", "List", Map.of("limit", 1001)))
                    .hasMessageContaining("limit must be from 1 to 1000, got 1001");
            assertThatThrownBy(() -> api.raw("AlertsService", "List", Map.of("offset", -5))).hasMessageContaining("offset must be 0 or more");
        }

        @Test
        void auditFiltersByActorActionPrefixAndTargetSubstring() {
            JsonNode sites = api.raw("AuditService", "List", Map.of("action", "sites."));
            assertThat(field(sites.get("entries"), "target")).containsExactly("site:shop-eu", "site:blog", "site:shop");
            assertThat(field(sites.get("entries"), "action")).containsOnly("sites.create");
            assertThat(sites.get("next_before_id").isNull()).isTrue();
            JsonNode shops = api.raw("AuditService", "List", Map.of("action", "sites.", "target", "SHOP"));
            assertThat(field(shops.get("entries"), "target")).containsExactly("site:shop-eu", "site:shop");
            JsonNode bob = api.raw("AuditService", "List", Map.of("target", "user:bob"));
            assertThat(field(bob.get("entries"), "action")).containsExactly("users.create");
            assertThat(field(bob.get("entries"), "actor")).containsExactly("local-admin");
            assertThat(api.raw("AuditService", "List", Map.of("actor", "local-admin", "action", "users.create")).get("entries")).hasSize(3);
            assertThat(api.raw("AuditService", "List", Map.of("actor", "local-admi")).get("entries")).as("the actor is exact").isEmpty();
            assertThat(api.raw("AuditService", "List", Map.of("action", "sites")).get("entries")).as("a prefix").hasSize(3);
            assertThat(api.raw("AuditService", "List", Map.of("action", "s_tes.")).get("entries")).as("_ is not a wildcard").isEmpty();
            assertThat(api.raw("AuditService", "List", Map.of("target", "%")).get("entries")).as("% is not a wildcard").isEmpty();
            assertThat(api.raw("AuditService", "List", Map.of("actor", " ", "action", "", "target", "")).get("entries").size())
                    .as("blank is no filter").isEqualTo(api.raw("AuditService", "List", Map.of()).get("entries").size());
        }

        @Test
        void nextBeforeIdPagesThroughEveryEntryExactlyOnce() {
            JsonNode whole = api.raw("AuditService", "List", Map.of("limit", 1000));
            List<Long> expected = new ArrayList<>();
            whole.get("entries").forEach(e -> expected.add(e.get("id").asLong()));
            assertThat(expected).hasSizeGreaterThan(7);
            assertThat(whole.get("next_before_id").isNull()).isTrue();
            for (int limit : new int[] {1, 2, 3, expected.size(), expected.size() + 1}) {
                assertThat(walk(Map.of("limit", limit))).as("limit %d", limit).isEqualTo(expected);
            }
            List<Long> users = new ArrayList<>();
            api.raw("AuditService", "List", Map.of("action", "users.")).get("entries").forEach(e -> users.add(e.get("id").asLong()));
            assertThat(walk(Map.of("limit", 2, "action", "users."))).as("filtered pages").isEqualTo(users).hasSizeGreaterThan(2);
        }

        List<Long> walk(Map<String, Object> request) {
            List<Long> seen = new ArrayList<>();
            Map<String, Object> q = new HashMap<>(request);
            for (int pages = 0; pages < 1000; pages++) {
                JsonNode page = api.raw("AuditService", "List", q);
                page.get("entries").forEach(e -> seen.add(e.get("id").asLong()));
                JsonNode next = page.get("next_before_id");
                if (next.isNull()) {
                    assertThat(page.get("entries").size()).isLessThanOrEqualTo((Integer) request.get("limit"));
                    return seen;
                }
                assertThat(page.get("entries")).hasSize((Integer) request.get("limit"));
                assertThat(next.asLong()).isEqualTo(seen.get(seen.size() - 1));
                q.put("before_id", next.asLong());
            }
            throw new AssertionError("no last page");
        }

        @Test
        void alertsListAnswersWithATotal() {
            JsonNode none = api.raw("AlertsService", "List", Map.of());
            assertThat(none.get("firings")).isEmpty();
            assertThat(none.get("total").asInt()).isZero();
            JsonNode filtered = api.raw("AlertsService", "List", Map.of("rule", Alerts.ORIGIN_BYPASS, "offset", 10, "limit", 5, "unacked_only", true));
            assertThat(filtered.get("total").asInt()).isZero();
        }
    }

    /** Alert firings are filtered and paged in SQL; firings are written as the engine writes them. */
    @Nested
    class AlertFirings {
        @TempDir
        Path dir;

        @Test
        void firingsFilterByRuleAndAckAndPageWithATotal() {
            StateStore store = TestStores.primary(dir);
            try (MutationPipeline p = TestStores.pipeline(store)) {
                Alerts alerts = new Alerts(store, p, () -> true);
                alerts.ensureSeeded();
                p.apply("system", new AlertMutations.SeedRule("other", "Other", "other_kind", 60, 1));
                for (int w = 1; w <= 5; w++) {
                    p.apply("system", new AlertMutations.Fire(Alerts.ORIGIN_BYPASS, w * 300_000L, 1, "bypass " + w));
                    p.apply("system", new AlertMutations.Fire("other", w * 60_000L, 2, "other " + w));
                }
                List<Alerts.Firing> bypass = alerts.firings(Alerts.ORIGIN_BYPASS, false, 0, 1000).firings();
                assertThat(bypass).extracting(Alerts.Firing::detail).containsExactly("bypass 5", "bypass 4", "bypass 3", "bypass 2", "bypass 1");
                assertThat(bypass).extracting(Alerts.Firing::title).containsOnly("Origin Bypass Attempt");
                alerts.ack("alice", bypass.get(0).id());
                alerts.ack("alice", bypass.get(2).id());

                Alerts.FiringPage all = alerts.firings(null, false, 0, 3);
                assertThat(all.total()).isEqualTo(10);
                assertThat(all.firings()).extracting(Alerts.Firing::detail).containsExactly("other 5", "bypass 5", "other 4");
                Alerts.FiringPage page = alerts.firings(Alerts.ORIGIN_BYPASS, true, 1, 2);
                assertThat(page.firings()).extracting(Alerts.Firing::detail).containsExactly("bypass 2", "bypass 1");
                assertThat(page.total()).as("unacknowledged firings of the rule").isEqualTo(3);
                assertThat(alerts.firings(" other ", false, 4, 10).firings()).extracting(Alerts.Firing::detail).containsExactly("other 1");
                assertThat(alerts.firings("oth", false, 0, 10).total()).as("the rule is exact").isZero();
                Alerts.FiringPage past = alerts.firings(null, true, 50, 10);
                assertThat(past.firings()).isEmpty();
                assertThat(past.total()).isEqualTo(8);
                assertThatThrownBy(() -> alerts.firings(null, false, -1, 10)).hasMessage("offset must be 0 or more, got -1");
                assertThatThrownBy(() -> alerts.firings(null, false, 0, 0)).hasMessage("limit must be from 1 to 1000, got 0");
            } finally {
                store.close();
            }
        }
    }
}
