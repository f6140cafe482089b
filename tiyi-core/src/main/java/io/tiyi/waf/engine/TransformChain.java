package io.tiyi.waf.engine;

import io.tiyi.waf.transforms.Transformation;
import java.util.List;

/**
 * A rule's transformation list, shared between rules with the same list so that a transaction
 * can cache results per (chain, value) instead of per rule.
 */
final class TransformChain {
    private final List<Transformation> steps;
    /** The steps as an array: applying a chain is on the path of every inspected value. */
    private final Transformation[] array;
    private final int index;

    /**
     * @param steps in order
     * @param index a small id for cache lookups
     */
    TransformChain(List<Transformation> steps, int index) {
        this.steps = List.copyOf(steps);
        this.array = this.steps.toArray(new Transformation[0]);
        this.index = index;
    }

    List<Transformation> steps() {
        return steps;
    }

    int index() {
        return index;
    }

    String apply(String value) {
        String v = value;
        for (Transformation t : array) {
            v = t.apply(v);
        }
        return v;
    }

    @Override
    public String toString() {
        return "TransformChain" + steps;
    }
}
