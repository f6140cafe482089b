package io.tiyi.waf.body;

import io.tiyi.waf.variables.KeyValues;

/**
 * SecArgumentsLimit for one transaction: the query string and the body processors add their
 * arguments through it, so the count spans {@code ARGS_GET} and {@code ARGS_POST} as it does in
 * ModSecurity 3. The first argument over the limit is refused and the parser that offered it
 * stops, so a request with 100,000 arguments costs what its first {@code max} cost; the
 * request then carries a body error naming the limit.
 */
public final class ArgumentLimit {
    private final int max;
    private int count;
    private boolean reached;

    /** @param max the most arguments of the transaction, at least 1 */
    public ArgumentLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the argument limit must be at least 1, got " + max);
        }
        this.max = max;
    }

    /** Adds {@code name=value} to {@code into}; false, adding nothing, once the limit is reached: stop parsing. */
    public boolean add(KeyValues into, String name, String value) {
        if (count >= max) {
            reached = true;
            return false;
        }
        count++;
        into.add(name, value);
        return true;
    }

    /** Whether an argument was refused. */
    public boolean reached() {
        return reached;
    }

    /** The body-error message of a request that went past the limit. */
    public String message() {
        return "more than " + max + " arguments (SecArgumentsLimit " + max + "); the rest of the request was not parsed";
    }
}
