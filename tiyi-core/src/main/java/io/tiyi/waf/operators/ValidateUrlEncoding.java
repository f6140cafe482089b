package io.tiyi.waf.operators;

/**
 * {@code @validateUrlEncoding}: true when the value has a {@code %} not followed by two hex
 * digits.
 */
public final class ValidateUrlEncoding implements Operator {
    static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return invalid(value);
    }

    /** True when {@code value} has a {@code %} not followed by two hex digits. */
    public static boolean invalid(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == '%') {
                if (i + 2 >= value.length() || !hex(value.charAt(i + 1)) || !hex(value.charAt(i + 2))) {
                    return true;
                }
                i += 2;
            }
        }
        return false;
    }
}
