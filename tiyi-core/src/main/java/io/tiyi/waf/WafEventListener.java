package io.tiyi.waf;

/**
 * Receives {@link WafEvent}s, for security event logs, metrics or SIEM forwarding. Called on the
 * thread that runs the transaction's logging phase (a request thread), so an implementation must
 * return quickly: hand the event to a queue, never write to disk or the network inline. Thrown
 * exceptions are caught, counted and logged; they do not affect the transaction.
 */
@FunctionalInterface
public interface WafEventListener {
    void onEvent(WafEvent event);
}
