package io.tiyi.client.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code tiyi.v1.EventsService}: security, access and traffic events. */
public final class EventsService {
    /** The service's name. */
    public static final String NAME = "EventsService";

    private EventsService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record ListRequest(String type, String since, Long sinceMs, String status, String site, Integer limit) {}

    /**
     * One page of events for an explorer. Unset (null or blank) filters match everything.
     *
     * @param type {@code security}, {@code access} or {@code audit}; default {@code security}
     * @param fromMs window start, inclusive; default {@code untilMs} minus 24 hours, or the cursor's window
     * @param untilMs window end, inclusive; default now, or the cursor's window
     * @param site exact site
     * @param ruleId an id the event's {@code rule_ids} contains
     * @param clientIp exact client address
     * @param path a substring of the event's path, case-sensitive
     * @param method HTTP method, any case
     * @param action exact action: {@code blocked} or {@code detected}
     * @param status a code like {@code 404} or a class like {@code 5xx}
     * @param requestId exact request id
     * @param cursor the {@code next_cursor} of the previous page; absent for the newest page
     * @param limit events per page, 1 to 500; default 50
     */
    public record SearchRequest(String type, Long fromMs, Long untilMs, String site, Long ruleId, String clientIp, String path, String method,
            String action, String status, String requestId, String cursor, Integer limit) {}

    /**
     * Aggregates for an overview page.
     *
     * @param fromMs window start, inclusive; default {@code untilMs} minus one hour
     * @param untilMs window end, inclusive; default now
     * @param buckets time buckets in each series, 1 to 1000; default 60
     * @param site only this site's events; unset for all
     * @param top how many rules and clients to list, 1 to 100; default 10
     */
    public record StatsRequest(Long fromMs, Long untilMs, Integer buckets, String site, Integer top) {}

    /**
     * What an agent ships.
     *
     * @param events security events as the agent's log wrote them
     * @param traffic requests per closed minute, {@code {site, minute_ms, requests}}; absent from older agents
     */
    /** {@code traffic} is left out when null: a control plane older than request counts refuses the field. */
    public record IngestRequest(List<JsonNode> events, @JsonInclude(JsonInclude.Include.NON_NULL) List<JsonNode> traffic) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<SearchRequest, JsonNode> SEARCH = rpc("Search", SearchRequest.class);
    public static final Rpc<StatsRequest, JsonNode> STATS = rpc("Stats", StatsRequest.class);
    public static final Rpc<IngestRequest, JsonNode> INGEST = rpc("Ingest", IngestRequest.class);
}
