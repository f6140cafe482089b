package io.tiyi.waf.operators;

/**
 * {@code @validateByteRange 1-255} (ranges and single values, comma-separated): true when the
 * value holds a byte outside every range.
 *
 * <pre>SecRule ARGS "@validateByteRange 32-126" "id:8,deny"</pre>
 */
final class ValidateByteRange implements Operator {
    private final boolean[] allowed = new boolean[256];

    public ValidateByteRange(String arg) {
        for (String part : arg.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dash = p.indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).trim());
                if (lo < 0 || hi > 255 || lo > hi) {
                    throw new OperatorException("@validateByteRange: range '" + p + "' is not within 0-255");
                }
                for (int b = lo; b <= hi; b++) {
                    allowed[b] = true;
                }
            } catch (NumberFormatException e) {
                throw new OperatorException("@validateByteRange: '" + p + "' is not a byte or a range like 32-126");
            }
        }
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!allowed[value.charAt(i) & 0xff]) {
                return true;
            }
        }
        return false;
    }
}
