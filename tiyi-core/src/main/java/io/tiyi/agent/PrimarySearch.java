package io.tiyi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Finds the read-write primary among the control-plane nodes an agent knows, by asking each for
 * its role ({@code ReplicationService/Status}). Only a node that itself answers "read-write primary"
 * is chosen, the one with the highest epoch, never one below the epoch the agent has pinned. The
 * {@code primary_api} a node names (the primary it knows of) is asked as well: that is how an
 * agent that knew only the old primary reaches the new one. The nodes of one round are asked at
 * once, so a node that is down (and times out) delays the search by one timeout, not one per node.
 * Answers are hints; trust in what the chosen node sends still comes from the bundle signature and
 * epoch alone.
 */
final class PrimarySearch {
    /** Nodes asked in one search at most, so that a list full of hints stays cheap. */
    static final int MAX_ASKED = 16;

    /**
     * A node that answered as the read-write primary.
     *
     * @param url the URL it was asked at
     * @param epoch its epoch
     */
    record Found(String url, long epoch) {}

    private PrimarySearch() {}

    /**
     * @param known the endpoints to ask, in order
     * @param status asks one node for its status; throws when it cannot be reached
     * @param minEpoch the lowest epoch a primary may have (the agent's pinned epoch)
     * @param learned told of every endpoint a node named that was not known
     * @param pool runs the asks of one round side by side
     * @return the read-write primary with the highest epoch, if any answered
     */
    static Optional<Found> run(Collection<String> known, Function<String, JsonNode> status, long minEpoch, Consumer<String> learned,
            Executor pool) {
        List<String> round = new ArrayList<>(known);
        Set<String> seen = new HashSet<>(known);
        Found best = null;
        int asked = 0;
        while (!round.isEmpty() && asked < MAX_ASKED) {
            round = round.subList(0, Math.min(round.size(), MAX_ASKED - asked));
            asked += round.size();
            List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
            for (String url : round) {
                answers.add(CompletableFuture.supplyAsync(() -> status.apply(url), pool).exceptionally(e -> null));
            }
            List<String> next = new ArrayList<>();
            for (int i = 0; i < round.size(); i++) {
                JsonNode st = answers.get(i).join();
                if (st == null) {
                    continue;
                }
                long epoch = st.path("epoch").asLong(-1);
                if ("primary".equals(st.path("role").asText()) && !st.path("read_only").asBoolean(true) && epoch >= minEpoch
                        && (best == null || epoch > best.epoch())) {
                    best = new Found(round.get(i), epoch);
                }
                // Read defensively: nodes of builds that do not name the primary leave the fields out.
                String hint = st.path("primary_api").textValue();
                long hintEpoch = st.path("primary_epoch").asLong(Long.MAX_VALUE);
                if (hint != null && isUrl(hint) && hintEpoch >= minEpoch && seen.add(hint)) {
                    next.add(hint);
                    learned.accept(hint);
                }
            }
            round = next;
        }
        return Optional.ofNullable(best);
    }

    /** Whether {@code s} is an absolute http(s) URL with a host: anything else a node names is ignored. */
    static boolean isUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
