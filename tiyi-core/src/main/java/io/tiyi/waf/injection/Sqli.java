package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlTokenizer.FLAG_QUOTE_DOUBLE;
import static io.tiyi.waf.injection.SqlTokenizer.FLAG_QUOTE_NONE;
import static io.tiyi.waf.injection.SqlTokenizer.FLAG_QUOTE_SINGLE;
import static io.tiyi.waf.injection.SqlTokenizer.FLAG_SQL_ANSI;
import static io.tiyi.waf.injection.SqlTokenizer.FLAG_SQL_MYSQL;

/**
 * SQL injection detection equivalent to libinjection's sqli: tokenize, fold, fingerprint, look up.
 *
 * <p>The input is read as SQL in up to five ways: as it is (ANSI, then MySQL when it holds
 * comment syntax the two dialects disagree on), as if it continued a single-quoted string (ANSI,
 * then MySQL likewise), and as if it continued a double-quoted string (MySQL). The first reading
 * whose fingerprint is a known SQLi one, and survives libinjection's false-positive rules,
 * decides.
 *
 * <p>The tables (keywords and fingerprints, libinjection's data) are loaded from the classpath on
 * first use; {@link #detect} throws {@link IllegalStateException} when they are missing.
 */
public final class Sqli {
    private Sqli() {}

    /** The outcome: whether the input is SQLi and the fingerprint that decided (empty when none). */
    public record Result(boolean injection, String fingerprint) {
        static final Result NONE = new Result(false, "");
    }

    /**
     * Loads the detector's tables now, so that a missing or damaged table is found when rules are
     * compiled rather than on the first request.
     *
     * @throws IllegalStateException naming the table resource and what is wrong with it
     */
    public static void preload() {
        SqliTables.preload();
    }

    /** input is a byte string: each char is one byte 0..255 (ISO-8859-1 decoded). Thread-safe, no shared mutable state. */
    public static Result detect(String input) {
        if (input.isEmpty()) {
            return Result.NONE;
        }
        SqliTables tables = SqliTables.get();

        Result r = tryReading(tables, input, FLAG_QUOTE_NONE);
        if (r != null) {
            return r;
        }
        if (input.indexOf('\'') >= 0) {
            r = tryReading(tables, input, FLAG_QUOTE_SINGLE);
            if (r != null) {
                return r;
            }
        }
        if (input.indexOf('"') >= 0) {
            Fingerprint fp = Fingerprint.of(tables, input, FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL);
            if (FingerprintMatcher.isSqli(tables, fp)) {
                return new Result(true, fp.value);
            }
        }
        return Result.NONE;
    }

    /** The ANSI reading in a quote context, then the MySQL one when the dialects would differ. */
    private static Result tryReading(SqliTables tables, String input, int quote) {
        Fingerprint fp = Fingerprint.of(tables, input, quote | FLAG_SQL_ANSI);
        if (FingerprintMatcher.isSqli(tables, fp)) {
            return new Result(true, fp.value);
        }
        if (fp.mysqlDiffers) {
            fp = Fingerprint.of(tables, input, quote | FLAG_SQL_MYSQL);
            if (FingerprintMatcher.isSqli(tables, fp)) {
                return new Result(true, fp.value);
            }
        }
        return null;
    }
}
