package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlToken.BAREWORD;
import static io.tiyi.waf.injection.SqlToken.COMMENT;
import static io.tiyi.waf.injection.SqlToken.EVIL;
import static io.tiyi.waf.injection.SqlToken.NONE;

/**
 * The fingerprint of one reading of the input: the type letters of its folded tokens, with the
 * tokens and statistics that the false-positive rules consult.
 */
final class Fingerprint {
    final String input;
    final String value;
    /** The folded tokens; the first {@code value.length()} are meaningful. */
    final SqlToken[] tokens;
    final int statsTokens;
    /** Whether the input holds syntax that MySQL reads differently, so a MySQL reading is worth a try. */
    final boolean mysqlDiffers;

    private Fingerprint(String input, String value, SqlToken[] tokens, int statsTokens, boolean mysqlDiffers) {
        this.input = input;
        this.value = value;
        this.tokens = tokens;
        this.statsTokens = statsTokens;
        this.mysqlDiffers = mysqlDiffers;
    }

    /** Tokenizes and folds {@code input} in the context given by the tokenizer flags. */
    static Fingerprint of(SqliTables tables, String input, int flags) {
        SqlTokenizer tokenizer = new SqlTokenizer(tables, input, flags);
        SqlFolder folder = new SqlFolder(tokenizer, tables);
        int n = folder.fold();
        SqlToken[] tokens = folder.tokens;

        // An unclosed, empty backtick at the end is PHP-style "`" commenting out the rest.
        if (n > 2) {
            SqlToken last = tokens[n - 1];
            if (last.type == BAREWORD && last.strOpen == '`' && last.len() == 0 && last.strClose == NONE) {
                last.type = COMMENT;
            }
        }

        StringBuilder fp = new StringBuilder(n);
        boolean evil = false;
        for (int i = 0; i < n; i++) {
            fp.append(tokens[i].type);
            evil |= tokens[i].type == EVIL;
        }
        String value = fp.toString();
        if (evil) {
            // Input that cannot be parsed reliably gets the single fingerprint "X".
            value = String.valueOf(EVIL);
            tokens[0].clear();
            tokens[0].type = EVIL;
            tokens[0].val = value;
            tokens[1].type = NONE;
        }
        return new Fingerprint(input, value, tokens, tokenizer.statsTokens,
                tokenizer.statsCommentDdx > 0 || tokenizer.statsCommentHash > 0);
    }

    @Override
    public String toString() {
        return value;
    }
}
