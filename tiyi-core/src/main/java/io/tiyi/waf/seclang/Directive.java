package io.tiyi.waf.seclang;

import java.util.List;

/**
 * One SecLang directive as written: its name, its arguments (quotes removed), and where it
 * came from, for error messages.
 *
 * @param name directive name, for example {@code SecRule}
 * @param args arguments in order
 * @param file the file (or a label for inline text)
 * @param line the line the directive starts on
 */
public record Directive(String name, List<String> args, String file, int line) {
    public Directive {
        args = List.copyOf(args);
    }

    /** {@code file:line}. */
    public String where() {
        return file + ":" + line;
    }
}
