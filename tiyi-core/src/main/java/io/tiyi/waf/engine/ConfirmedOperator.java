package io.tiyi.waf.engine;

import io.tiyi.waf.operators.MatchContext;
import io.tiyi.waf.operators.Operator;

/** A rule's operator whose matches stand only when a {@link Confirmation} agrees. */
final class ConfirmedOperator implements Operator {
    private final Operator inner;
    private final Confirmation confirmation;

    ConfirmedOperator(Operator inner, Confirmation confirmation) {
        this.inner = inner;
        this.confirmation = confirmation;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return inner.evaluate(ctx, value) && confirmation.confirms(inner, ctx, value);
    }

    @Override
    public boolean wantsScratch() {
        return inner.wantsScratch();
    }

    @Override
    public void scratchSlot(int slot) {
        inner.scratchSlot(slot);
    }
}
