package io.tiyi.waf.engine;

import io.tiyi.waf.transforms.Transformation;
import java.util.List;

/**
 * A rule's transformation list, shared between rules with the same list so that a transaction
 * can cache results per (chain, value) instead of per rule. Chains form a tree by prefix: a
 * chain is its parent (its list without the last step) followed by that step, and every prefix
 * of a rule's list is a chain too. In the CRS, dozens of lists start with the same decoding
 * steps, and a value decoded once for one of them is not decoded again for the others.
 */
final class TransformChain {
    private final List<Transformation> steps;
    /** The chain of all steps but the last; null for a chain of one step or none. */
    private final TransformChain parent;
    /** The last step, or null for the empty chain. */
    private final Transformation last;
    private final int index;

    /**
     * @param steps in order
     * @param parent the chain of {@code steps} without the last one, null when that is empty
     * @param index a small id for cache lookups
     */
    TransformChain(List<Transformation> steps, TransformChain parent, int index) {
        this.steps = List.copyOf(steps);
        this.parent = parent;
        this.last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
        this.index = index;
    }

    List<Transformation> steps() {
        return steps;
    }

    int index() {
        return index;
    }

    /**
     * The result of the chain on {@code value}, taken from {@code memo} (indexed by chain) when
     * it is there, else computed from the parent's result and kept there with the parent's.
     */
    String apply(String value, String[] memo) {
        String v = memo[index];
        if (v == null) {
            v = last.apply(parent == null ? value : parent.apply(value, memo));
            memo[index] = v;
        }
        return v;
    }

    @Override
    public String toString() {
        return "TransformChain" + steps;
    }
}
