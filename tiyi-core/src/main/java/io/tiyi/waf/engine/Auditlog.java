package io.tiyi.waf.engine;

/** {@code auditlog} / {@code noauditlog}: whether a match marks the transaction for the audit log. */
final class Auditlog implements Action {
    private final boolean audit;

    Auditlog(boolean audit) {
        this.audit = audit;
    }

    @Override
    public void init(Rule rule) {
        rule.auditlog = audit;
    }
}
