package io.tiyi.waf.operators;

/** {@code @lt N}: true when the value, as an integer, is less than N (macro-expanded). <pre>SecRule &amp;ARGS "@lt 1" "id:7"</pre> */
final class Lt extends NumericComparison {
    public Lt(String arg) {
        super(arg);
    }

    @Override
    boolean compare(long value, long argument) {
        return value < argument;
    }
}
