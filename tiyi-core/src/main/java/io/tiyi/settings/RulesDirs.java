package io.tiyi.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Setting {@code waf.rules_dirs}: the directories, besides the CRS rules directory, that sites'
 * custom rules may Include and read data files from. Written as absolute paths separated by
 * commas; empty allows none.
 */
public final class RulesDirs {
    private RulesDirs() {}

    /** The directories of a stored value, in order; empty for an empty value. */
    public static List<String> parse(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Checks a value: every entry an absolute path of an existing directory other than {@code /}
     * (also after links are followed, which would allow every file).
     *
     * @return the canonical value: normalized paths joined by commas, duplicates dropped
     * @throws IllegalArgumentException saying which entry is wrong and why
     */
    static String canonical(String value) {
        List<String> out = new ArrayList<>();
        for (String p : parse(value)) {
            Path d = Path.of(p);
            if (!d.isAbsolute()) {
                throw new IllegalArgumentException("'" + p + "' is not an absolute path");
            }
            Path n = d.normalize();
            Path real;
            try {
                real = n.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("'" + p + "' does not exist");
            }
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("'" + p + "' is not a directory");
            }
            if (real.getParent() == null) {
                throw new IllegalArgumentException("'" + p + "' is the root directory, which would let custom rules read every file");
            }
            if (!out.contains(n.toString())) {
                out.add(n.toString());
            }
        }
        return String.join(",", out);
    }
}
