package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.api.DocumentedMethods.Entry;
import io.tiyi.api.DocumentedMethods.Least;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading docs/api.md's Methods table: which backticked names are methods, and refusing what it cannot place. */
class DocumentedMethodsTest {
    private static List<Entry> table(String... rows) {
        List<String> lines = new ArrayList<>(List.of("# RPC API", "", "## Methods", "", "| method | least role | changes state |", "|---|---|---|"));
        lines.addAll(List.of(rows));
        lines.add("");
        lines.add("| not | part of | the table |");
        return DocumentedMethods.parse(lines);
    }

    @Test
    void namesAfterTheFirstInheritItsService() {
        List<Entry> e = table("| `SitesService/Delete` `{name}`, `AddRoute`, `RemoveRoute` `{site, path_prefix, upstreams, lb}` | operator | yes |",
                "| `TrustService/Get` → `{a, b}`, `Test` `{peer, headers: [\"Name: value\", …]}` → `{c}` | viewer | no |");
        assertThat(e).extracting(Entry::name).containsExactly("SitesService/Delete", "SitesService/AddRoute", "SitesService/RemoveRoute",
                "TrustService/Get", "TrustService/Test");
        assertThat(e.get(0)).isEqualTo(new Entry("SitesService", "Delete", Least.OPERATOR, true, 7));
        assertThat(e.get(4).least()).isEqualTo(Least.VIEWER);
        assertThat(e.get(4).changesState()).isFalse();
    }

    @Test
    void backtickedWordsInsideParenthesesAreProseNotMethods() {
        List<Entry> e = table("| `EventsService/Ingest` `{events, traffic}` (counted by `Stats` in `requests`, not listed by `List`/`Search`;"
                + " nested (`Get`, `Put`) too), `Other` | agent credential | no (events are not replicated) |");
        assertThat(e).extracting(Entry::name).containsExactly("EventsService/Ingest", "EventsService/Other");
        assertThat(e).extracting(Entry::least).containsOnly(Least.AGENT);
    }

    @Test
    void readsEveryLeastRole() {
        List<Entry> e = table("| `AService/A` | public | yes |", "| `AService/B` | public: the enrollment token | yes |",
                "| `AService/C` | admin | yes (self-service) |", "| `AService/D` | agent credential of a secondary | no |",
                "| `AService/E`, `G` `{x}` | operator | no |");
        assertThat(e).extracting(Entry::least).containsExactly(Least.PUBLIC, Least.PUBLIC, Least.ADMIN, Least.SECONDARY, Least.OPERATOR,
                Least.OPERATOR);
        assertThat(e).extracting(Entry::changesState).containsExactly(true, true, true, false, false, false);
    }

    @Test
    void aPipeInsideBackticksIsText() {
        assertThat(DocumentedMethods.cells("| `A|B` x | viewer | no |", 1)).containsExactly("`A|B` x", "viewer", "no");
    }

    @Test
    void refusesWhatItCannotPlaceNamingTheLine() {
        assertThatThrownBy(() -> table("| `AService/A` | everyone | no |")).hasMessageContaining("line 7")
                .hasMessageContaining("unknown least role 'everyone'");
        assertThatThrownBy(() -> table("| `Delete` `{name}` | admin | yes |")).hasMessageContaining("line 7")
                .hasMessageContaining("'Delete' names no service");
        assertThatThrownBy(() -> table("| `AService/A` (an open parenthesis, `B` | admin | yes |")).hasMessageContaining("line 7")
                .hasMessageContaining("leaves a bracket open");
        assertThatThrownBy(() -> table("| `AService/A`, and `B` | admin | yes |")).hasMessageContaining("starts with its backticked name");
        assertThatThrownBy(() -> table("| `AService/A` | admin | maybe |")).hasMessageContaining("'changes state' must start with yes or no");
        assertThatThrownBy(() -> table("| `AService/A` | admin | yes |", "| `AService/A` | viewer | no |"))
                .hasMessageContaining("line 8: AService/A is documented twice");
        assertThatThrownBy(() -> DocumentedMethods.parse(List.of("# RPC API"))).hasMessageContaining("no '## Methods' heading");
    }
}
