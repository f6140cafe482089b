package io.tiyi.waf.transforms;

/**
 * {@code t:normalizePath} (also {@code t:normalisePath}): resolves {@code .} and {@code ..} segments
 * and collapses repeated slashes in a path, as ModSecurity does.
 *
 * <p>Example: {@code t:normalizePath} turns {@code /a/./b/../../etc//passwd} into
 * {@code /etc/passwd}.
 *
 * <ul>
 *   <li>{@code //} becomes {@code /}; a {@code .} segment is removed; a {@code ..} segment removes
 *       itself and the segment before it.</li>
 *   <li>An absolute path never goes above the root: {@code /../../etc} gives {@code /etc}, and
 *       {@code /a/..} gives {@code /} (where ModSecurity's code gives the empty string).</li>
 *   <li>A relative path keeps the {@code ..} it cannot resolve: {@code a/../../b} gives
 *       {@code ../b}, and a leading {@code ./} is removed.</li>
 *   <li>A trailing slash is kept when the input had one, and not added otherwise ({@code a/b/.}
 *       gives {@code a/b}); {@code .} alone gives the empty string.</li>
 * </ul>
 *
 * <p>Edge cases: only {@code /} separates segments here (see {@link NormalizePathWin} for
 * {@code \}); a NUL byte or any other byte is an ordinary segment byte; as in ModSecurity, a
 * segment that ends in {@code ..} after other bytes counts as a back-reference too
 * ({@code /a/b../c} gives {@code /a/c}).
 */
final class NormalizePath implements Transformation {

    NormalizePath() {
    }

    @Override
    public String name() {
        return "normalizePath";
    }

    @Override
    public String apply(String input) {
        return normalize(input, false);
    }

    /** Normalizes {@code input}; with {@code windows}, each backslash is first read as a slash. */
    static String normalize(String input, boolean windows) {
        int n = input.length();
        if (!needsWork(input, windows)) {
            return input;
        }
        char[] b = input.toCharArray();
        if (windows) {
            for (int k = 0; k < n; k++) {
                if (b[k] == '\\') {
                    b[k] = '/';
                }
            }
        }
        int end = n - 1;
        boolean relative = b[0] != '/';
        boolean trailing = b[end] == '/';
        boolean hitRoot = false;
        boolean done = false;
        int src = 0;
        int dst = 0;
        // dst never passes src, so the result is built in place over the bytes already read.
        while (!done && src <= end && dst <= end) {
            boolean segmentEnd;
            if (src == end) {
                done = true;
                segmentEnd = true;
            } else {
                segmentEnd = b[src + 1] == '/';
            }
            boolean copy = true;
            if (segmentEnd && !(src != end && b[src] == '/')) {
                if (b[src] == '.') {
                    if (dst > 0 && b[dst - 1] == '.') {
                        // A back-reference "..".
                        if (relative && (hitRoot || dst <= 2)) {
                            // Nothing left to remove in a relative path: keep the "..".
                            hitRoot = true;
                        } else {
                            // Remove the ".." and the segment before it.
                            dst -= 3;
                            while (dst > 0 && b[dst] != '/') {
                                dst--;
                            }
                            if (dst <= 0) {
                                // Not above the root; an absolute path keeps its root slash.
                                hitRoot = true;
                                dst = !relative && src == end ? 1 : 0;
                            }
                            if (done) {
                                copy = false;
                            } else {
                                src++;
                            }
                        }
                    } else if (dst == 0) {
                        // "." at the start of a relative path.
                        if (done) {
                            copy = false;
                        } else {
                            src++;
                        }
                    } else if (b[dst - 1] == '/') {
                        // A "." segment.
                        if (done) {
                            copy = false;
                        } else {
                            dst--;
                            src++;
                        }
                    }
                } else if (dst > 0) {
                    hitRoot = false;
                }
            }
            if (copy) {
                if (b[src] == '/') {
                    while (src < end && b[src + 1] == '/') {
                        src++;
                    }
                    if (relative && dst == 0) {
                        // A relative path does not start with a slash.
                        src++;
                        continue;
                    }
                }
                b[dst++] = b[src++];
            }
        }
        // No trailing slash unless the input had one; but the root of an absolute path stays
        // (ModSecurity's code strips it too, turning "/a/.." into the empty string).
        if (!trailing && dst > 1 && b[dst - 1] == '/') {
            dst--;
        }
        String result = new String(b, 0, dst);
        return result.equals(input) ? input : result;
    }

    /**
     * Whether normalizing can change the input: it has "//", a segment ending in '.', or (Windows)
     * a backslash. Anything else is copied as it is.
     */
    private static boolean needsWork(String s, boolean windows) {
        int n = s.length();
        for (int k = 0; k < n; k++) {
            char c = s.charAt(k);
            if (c == '\\' && windows) {
                return true;
            }
            if (c == '/' || c == '.') {
                if (k + 1 == n) {
                    return c == '.';
                }
                if (s.charAt(k + 1) == '/') {
                    return true;
                }
            }
        }
        return false;
    }
}
