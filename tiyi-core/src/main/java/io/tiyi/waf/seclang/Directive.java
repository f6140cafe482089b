package io.tiyi.waf.seclang;

import java.util.List;
import java.util.Objects;

/**
 * One SecLang directive as written: its name, its arguments (quotes removed), and where it
 * came from, for error messages.
 *
 * @param name directive name, for example {@code SecRule}
 * @param args arguments in order
 * @param file the file (or a label for inline text)
 * @param line the line the directive starts on
 * @param files where the directive's data files resolve, and whether errors may quote its text
 */
public record Directive(String name, List<String> args, String file, int line, RuleFiles files) {
    public Directive {
        args = List.copyOf(args);
        Objects.requireNonNull(files, "files");
    }

    /** A trusted directive: data files resolve anywhere, from the working directory. */
    public Directive(String name, List<String> args, String file, int line) {
        this(name, args, file, line, RuleFiles.anywhere(null));
    }

    /** {@code file:line}. */
    public String where() {
        return file + ":" + line;
    }

    /** Whether an error about this directive may repeat its text: false for a file the rule author may not read. */
    public boolean quotable() {
        return files.quotesText();
    }
}
