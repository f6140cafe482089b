package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.internal.Json;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which node an agent follows, from the status answers of the control-plane nodes it knows. */
class PrimarySearchTest {
    final List<String> learned = new ArrayList<>();

    static JsonNode status(String json) {
        return Json.read(json.replace('\'', '"'), JsonNode.class);
    }

    Optional<PrimarySearch.Found> search(List<String> known, Map<String, String> answers, long minEpoch) {
        return PrimarySearch.run(known, url -> {
            String a = answers.get(url);
            if (a == null) {
                throw new UncheckedIOException(new java.net.ConnectException("connection refused: " + url));
            }
            return status(a);
        }, minEpoch, learned::add, Runnable::run);
    }

    @Test
    void theReadWritePrimaryWithTheHighestEpochWins() {
        var found = search(List.of("http://a", "http://b", "http://c"), Map.of(
                "http://a", "{'role':'primary','epoch':1,'read_only':false,'last_seq':9,'api':'http://a'}",
                "http://b", "{'role':'primary','epoch':2,'read_only':false,'last_seq':9,'api':'http://b'}",
                "http://c", "{'role':'secondary','epoch':2,'read_only':true,'last_seq':9,'api':'http://c'}"), 1);
        assertThat(found).contains(new PrimarySearch.Found("http://b", 2));
    }

    @Test
    void aReadOnlyPrimaryOrOneBelowThePinnedEpochIsNeverChosen() {
        var found = search(List.of("http://a", "http://b"), Map.of(
                "http://a", "{'role':'primary','epoch':3,'read_only':true,'last_seq':9,'api':'http://a'}",
                "http://b", "{'role':'primary','epoch':1,'read_only':false,'last_seq':9,'api':'http://b'}"), 2);
        assertThat(found).isEmpty();
    }

    @Test
    void thePrimaryANodeNamesIsAskedAndLearned() {
        var found = search(List.of("http://old", "http://gone"), Map.of(
                "http://old", "{'role':'agent','epoch':1,'read_only':true,'last_seq':9,'api':'http://old','primary_api':'http://new',"
                        + "'primary_epoch':2}",
                "http://new", "{'role':'primary','epoch':2,'read_only':false,'last_seq':9,'api':'http://new'}"), 1);
        assertThat(found).contains(new PrimarySearch.Found("http://new", 2));
        assertThat(learned).containsExactly("http://new");
    }

    @Test
    void answersWithoutThePrimaryFieldsOrWithJunkInThemAreReadDefensively() {
        var found = search(List.of("http://a", "http://b"), Map.of(
                "http://a", "{'role':'secondary','epoch':1,'read_only':true,'primary_api':'javascript:alert(1)','primary_epoch':'x'}",
                "http://b", "{'role':'secondary','epoch':1,'read_only':true,'primary_api':null}"), 1);
        assertThat(found).isEmpty();
        assertThat(learned).isEmpty();
    }

    @Test
    void aNamedPrimaryFromALowerEpochIsNotAsked() {
        var found = search(List.of("http://a"), Map.of(
                "http://a", "{'role':'secondary','epoch':1,'read_only':true,'primary_api':'http://stale','primary_epoch':1}",
                "http://stale", "{'role':'primary','epoch':1,'read_only':false}"), 2);
        assertThat(found).isEmpty();
        assertThat(learned).isEmpty();
    }
}
