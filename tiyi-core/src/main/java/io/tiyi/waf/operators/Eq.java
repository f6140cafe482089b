package io.tiyi.waf.operators;

/** {@code @eq N}: true when the value, as an integer, equals N (macro-expanded). <pre>SecRule &amp;ARGS "@eq 1" "id:7"</pre> */
final class Eq extends NumericComparison {
    public Eq(String arg) {
        super(arg);
    }

    @Override
    boolean compare(long value, long argument) {
        return value == argument;
    }
}
