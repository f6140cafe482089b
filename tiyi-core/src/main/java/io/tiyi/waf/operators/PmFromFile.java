package io.tiyi.waf.operators;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @pmFromFile file1 [file2...]} (also {@code @pmf}): {@code @pm} with phrases read from
 * files, one per line, {@code #} comments and blank lines skipped; relative paths are taken from
 * the rule file's directory.
 *
 * <pre>SecRule REQUEST_FILENAME "@pmFromFile restricted-files.data" "id:3,deny"</pre>
 */
final class PmFromFile implements Operator {
    private final Pm pm;

    public PmFromFile(String argument, Path baseDir) {
        List<String> phrases = new ArrayList<>();
        for (String f : Pm.split(argument)) {
            Path p = Path.of(f);
            if (!p.isAbsolute() && baseDir != null) {
                p = baseDir.resolve(f);
            }
            try {
                for (String line : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).split("\r?\n")) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        phrases.add(t);
                    }
                }
            } catch (IOException e) {
                throw new OperatorException("@pmFromFile: cannot read " + p + ": " + e.getMessage());
            }
        }
        this.pm = new Pm(phrases);
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return pm.evaluate(ctx, value);
    }
}
