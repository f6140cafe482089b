package io.tiyi.waf.operators;

import io.tiyi.waf.seclang.RuleFiles;
import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @pmFromFile file1 [file2...]} (also {@code @pmf}): {@code @pm} with phrases read from
 * files, one per line, {@code #} comments and blank lines skipped; relative paths are taken from
 * the rule file's directory. Which files may be read is the rules' {@link RuleFiles}.
 *
 * <pre>SecRule REQUEST_FILENAME "@pmFromFile restricted-files.data" "id:3,deny"</pre>
 */
final class PmFromFile implements Operator {
    private final Pm pm;

    PmFromFile(String argument, RuleFiles files, String where) {
        List<String> phrases = new ArrayList<>();
        for (String f : Pm.split(argument)) {
            for (String line : lines(files, files.file(f, "@pmFromFile", where), "@pmFromFile", where)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    phrases.add(t);
                }
            }
        }
        this.pm = new Pm(phrases);
    }

    /** A data file's lines, read as bytes (ISO-8859-1); a read error names the file as {@code files} labels it. */
    static String[] lines(RuleFiles files, Path p, String what, String where) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).split("\r?\n");
        } catch (IOException e) {
            if (files.restricted()) {
                throw SecLangException.withoutText(where, what + ": cannot read " + files.label(p));
            }
            throw new OperatorException(what + ": cannot read " + p + ": " + e.getMessage());
        }
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return pm.evaluate(ctx, value);
    }
}
