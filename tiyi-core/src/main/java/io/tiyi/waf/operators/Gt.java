package io.tiyi.waf.operators;

/** {@code @gt N}: true when the value, as an integer, is greater than N (macro-expanded). <pre>SecRule &amp;ARGS "@gt 1" "id:7"</pre> */
final class Gt extends NumericComparison {
    public Gt(String arg) {
        super(arg);
    }

    @Override
    boolean compare(long value, long argument) {
        return value > argument;
    }
}
