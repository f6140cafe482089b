package io.tiyi.waf.operators;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code @pm word1 word2 ...}: true when any of the space-separated phrases occurs in the value,
 * case-insensitively. Scans once with Aho-Corasick. With {@code capture}, {@code TX.0} is the
 * phrase found.
 *
 * <pre>SecRule REQUEST_HEADERS:User-Agent "@pm nikto sqlmap" "id:2,deny"</pre>
 */
final class Pm implements Operator {
    private final AhoCorasick ac;

    public Pm(String argument) {
        this(split(argument));
    }

    Pm(List<String> phrases) {
        if (phrases.isEmpty()) {
            throw new OperatorException("@pm needs at least one phrase");
        }
        this.ac = new AhoCorasick(phrases);
    }

    static List<String> split(String arg) {
        List<String> out = new ArrayList<>();
        for (String p : arg.trim().split("\\s+")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        String found = ac.find(value);
        if (found == null) {
            return false;
        }
        if (ctx.capturing()) {
            ctx.capture(0, found);
        }
        return true;
    }
}
