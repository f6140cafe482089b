package io.tiyi.waf;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a transaction did, reported to a {@link WafEventListener} once its logging phase ran,
 * when at least one logging rule matched or the transaction was interrupted.
 *
 * @param transactionId the transaction id ({@code UNIQUE_ID})
 * @param time when the logging phase ran
 * @param clientIp the client address given to the transaction
 * @param method the request method
 * @param uri the request URI as received
 * @param mode the mode the transaction ran in
 * @param interruption the interruption, if the WAF stopped the transaction
 * @param matchedRules rules that matched and log, in order
 * @param inboundAnomalyScore CRS's {@code tx.blocking_inbound_anomaly_score}, 0 without CRS
 */
public record WafEvent(String transactionId, Instant time, String clientIp, String method, String uri, WafMode mode,
        Optional<Interruption> interruption, List<MatchedRule> matchedRules, int inboundAnomalyScore) {
    public WafEvent {
        matchedRules = List.copyOf(matchedRules);
    }

    /** True when the transaction was interrupted (in detect mode, never). */
    public boolean blocked() {
        return interruption.isPresent();
    }
}
