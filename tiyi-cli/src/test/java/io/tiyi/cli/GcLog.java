package io.tiyi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM's {@code -Xlog:gc,gc+init} file says about its heap: the maximum it was allowed, and
 * the most it held before and after any collection. The heap after a collection is what the
 * process really kept alive, so its peak is the figure that shows whether memory stayed bounded.
 *
 * @param maxCapacityMiB the heap limit the JVM ran with ({@code -Xmx}), from {@code Heap Max Capacity}
 * @param peakBeforeGcMiB the largest heap occupancy when a collection started
 * @param peakAfterGcMiB the largest heap occupancy a collection left
 * @param collections how many pauses the log records
 */
record GcLog(long maxCapacityMiB, long peakBeforeGcMiB, long peakAfterGcMiB, int collections) {
    private static final Pattern MAX = Pattern.compile("Heap Max Capacity: (\\d+)([KMG])");
    // "GC(3) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.123ms"
    private static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) Pause .* (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    static GcLog read(Path file) throws IOException {
        long max = -1;
        long before = 0;
        long after = 0;
        int pauses = 0;
        for (String line : Files.readAllLines(file)) {
            Matcher m = MAX.matcher(line);
            if (m.find()) {
                max = mib(m.group(1), m.group(2));
            }
            m = PAUSE.matcher(line);
            if (m.find()) {
                pauses++;
                before = Math.max(before, mib(m.group(1), m.group(2)));
                after = Math.max(after, mib(m.group(3), m.group(4)));
            }
        }
        if (max < 0) {
            throw new AssertionError("no 'Heap Max Capacity' line in the GC log " + file);
        }
        return new GcLog(max, before, after, pauses);
    }

    private static long mib(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    @Override
    public String toString() {
        return "heap limit " + maxCapacityMiB + " MiB, peak " + peakBeforeGcMiB + " MiB before a collection and " + peakAfterGcMiB
                + " MiB after one (" + collections + " collections)";
    }
}
