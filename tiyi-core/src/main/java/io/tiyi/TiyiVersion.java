package io.tiyi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build of Tiyi and the git commit it was built from. */
public final class TiyiVersion {
    private static final String VERSION;
    private static final String COMMIT;

    static {
        Properties p = new Properties();
        try (InputStream in = TiyiVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // A missing resource only means the build did not stamp it; fall through to "unknown".
        }
        VERSION = resolved(p.getProperty("version"), "0.0.0-dev");
        String commit = resolved(p.getProperty("commit"), "unknown");
        COMMIT = "true".equals(p.getProperty("dirty")) ? commit + "-dirty" : commit;
    }

    private TiyiVersion() {}

    private static String resolved(String value, String fallback) {
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value;
    }

    /** The release version, for example {@code 3.0.0-rc.1}. */
    public static String version() {
        return VERSION;
    }

    /** The abbreviated git commit of the build, with {@code -dirty} when the tree had changes. */
    public static String commit() {
        return COMMIT;
    }

    /** {@code tiyi 3.0.0-rc.1 (commit abc1234567)}. */
    public static String banner() {
        return "tiyi " + VERSION + " (commit " + COMMIT + ")";
    }
}
