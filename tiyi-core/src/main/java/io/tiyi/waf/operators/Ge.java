package io.tiyi.waf.operators;

/** {@code @ge N}: true when the value, as an integer, is greater than or equal to N (macro-expanded). <pre>SecRule &amp;ARGS "@ge 1" "id:7"</pre> */
final class Ge extends NumericComparison {
    public Ge(String arg) {
        super(arg);
    }

    @Override
    boolean compare(long value, long argument) {
        return value >= argument;
    }
}
