package io.tiyi.waf.operators;

/** {@code @le N}: true when the value, as an integer, is less than or equal to N (macro-expanded). <pre>SecRule &amp;ARGS "@le 1" "id:7"</pre> */
final class Le extends NumericComparison {
    public Le(String arg) {
        super(arg);
    }

    @Override
    boolean compare(long value, long argument) {
        return value <= argument;
    }
}
