package io.tiyi.waf.transforms;

/**
 * {@code t:normalizePathWin} (also {@code t:normalisePathWin}): like {@link NormalizePath}, after
 * turning every backslash into a slash.
 *
 * <p>Example: {@code t:normalizePathWin} turns {@code C:\inetpub\..\windows\.\win.ini} into
 * {@code C:/windows/win.ini}.
 *
 * <p>Edge cases: the result always uses {@code /}, even when nothing else changed
 * ({@code a\b} gives {@code a/b}); mixed separators work ({@code \a/..\b} gives {@code /b}); drive
 * letters and UNC prefixes are ordinary segments.
 */
final class NormalizePathWin implements Transformation {

    NormalizePathWin() {
    }

    @Override
    public String name() {
        return "normalizePathWin";
    }

    @Override
    public String apply(String input) {
        return NormalizePath.normalize(input, true);
    }
}
