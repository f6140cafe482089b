package io.tiyi.internal;

import io.tiyi.TiyiException;

/**
 * Names inside a release tarball: relative, '/'-separated, and unable to point outside the
 * directory they are unpacked into, whatever unpacks them.
 */
public final class EntryPaths {
    private EntryPaths() {}

    /**
     * The name of a tar entry as the manifest would write it: without the leading {@code ./} that
     * {@code tar -C dir .} adds, and without a directory's trailing {@code /}.
     */
    public static String normalizeEntry(String raw) {
        String name = raw == null ? "" : raw;
        if (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        String problem = problem(raw, name);
        if (problem != null) {
            throw TiyiException.invalid("entry " + raw + ": " + problem);
        }
        return name;
    }

    /** Refuses a manifest path that is not exactly how a safe entry name is written. */
    public static void requireCanonical(String what, String path) {
        String problem = path != null && (path.startsWith("./") || (path.endsWith("/") && path.length() > 1))
                ? "write it without a leading ./ or a trailing /" : problem(path, path);
        if (problem != null) {
            throw TiyiException.invalid(what + " " + path + ": " + problem);
        }
    }

    private static String problem(String raw, String name) {
        if (raw == null || name.isEmpty()) {
            return "empty name";
        }
        if (raw.indexOf('\\') >= 0) {
            return "backslashes are not allowed";
        }
        if (raw.chars().anyMatch(Character::isISOControl)) {
            return "control characters are not allowed";
        }
        if (raw.startsWith("/")) {
            return "absolute paths are not allowed";
        }
        String[] segments = name.split("/", -1);
        for (String s : segments) {
            if (s.equals("..")) {
                return "path traversal (..) is not allowed";
            }
        }
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".")) {
                return "empty or '.' path segments are not allowed";
            }
        }
        return null;
    }
}
