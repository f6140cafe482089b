package io.tiyi.waf.operators;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prefilter literals of every {@code @rx} in a rule set, in one automaton. A value that many
 * rules inspect (in the CRS an argument goes through about a hundred patterns) is scanned once for
 * all of their literals; each pattern then looks for its own among those found, instead of
 * scanning the value again with its own prefilter. The transaction keeps what a scan found per
 * value ({@link MatchContext#literalsIn}).
 *
 * <p>It answers exactly what each pattern's own prefilter answers: the same literals, found the
 * same way (ASCII case folded), so a pattern is skipped only where its prefilter alone would have
 * skipped it.
 */
public final class LiteralIndex {
    private static final int[] NONE = new int[0];

    private final AhoCorasick automaton;
    private final int size;

    private LiteralIndex(List<String> literals) {
        this.automaton = new AhoCorasick(literals);
        this.size = literals.size();
    }

    /**
     * Builds the index of the {@code @rx} operators among {@code operators} that have a prefilter,
     * and points each of them at it; null when none has one.
     */
    public static LiteralIndex of(Collection<? extends Operator> operators) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<Rx> patterns = new ArrayList<>();
        for (Operator op : operators) {
            if (op instanceof Rx rx && rx.prefilter() != null && !rx.prefilter().literals().contains("")) {
                patterns.add(rx);
                for (String lit : rx.prefilter().literals()) {
                    ids.putIfAbsent(lit, ids.size());
                }
            }
        }
        if (patterns.isEmpty()) {
            return null;
        }
        LiteralIndex index = new LiteralIndex(new ArrayList<>(ids.keySet()));
        for (Rx rx : patterns) {
            long[] mask = new long[(index.size + 63) >>> 6];
            for (String lit : rx.prefilter().literals()) {
                int id = ids.get(lit);
                mask[id >>> 6] |= 1L << id;
            }
            rx.index(new Member(index, mask));
        }
        return index;
    }

    /** The number of distinct literals. */
    public int size() {
        return size;
    }

    /** Scans values for the index's literals; one per transaction, not shared between threads. */
    public final class Scanner implements java.util.function.IntConsumer {
        private final long[] seen = new long[(size + 63) >>> 6];
        private int[] found = new int[16];
        private int count;

        /** The ids of the literals that occur in {@code value}, each once; an empty array when none does. */
        public int[] scan(String value) {
            count = 0;
            automaton.findAll(value, this);
            if (count == 0) {
                return NONE;
            }
            int[] out = java.util.Arrays.copyOf(found, count);
            for (int id : out) {
                seen[id >>> 6] = 0;
            }
            return out;
        }

        @Override
        public void accept(int id) {
            long bit = 1L << id;
            int w = id >>> 6;
            if ((seen[w] & bit) != 0) {
                return;
            }
            seen[w] |= bit;
            if (count == found.length) {
                found = java.util.Arrays.copyOf(found, count * 2);
            }
            found[count++] = id;
        }

        public LiteralIndex index() {
            return LiteralIndex.this;
        }
    }

    /** A new scanner for one transaction. */
    public Scanner scanner() {
        return new Scanner();
    }

    /** One pattern's literals in an index: which of the index's ids would let it match. */
    record Member(LiteralIndex index, long[] mask) {
        boolean mayMatch(int[] found) {
            for (int id : found) {
                if ((mask[id >>> 6] & (1L << id)) != 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
