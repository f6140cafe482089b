package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real {@code tiyi} process started from the runnable jar, with its output captured. */
final class TiyiProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("INFO tiyi (\\w+) ready on (http://\\S+) \\(epoch (\\d+)\\)");

    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private TiyiProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "tiyi-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Path jar() {
        String p = System.getProperty("tiyi.jar");
        assertThat(p).as("system property tiyi.jar (set by failsafe)").isNotNull();
        return Path.of(p);
    }

    /** Runs a command to completion with {@code stdin}; returns the process with its output. */
    static TiyiProcess run(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        TiyiProcess p = start(env, args);
        try (java.io.OutputStream in = p.process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        p.awaitExit();
        return p;
    }

    int exitCode() {
        return process.exitValue();
    }

    static TiyiProcess start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TIYI_AUTH_JWT_SECRET");
        pb.environment().remove("TIYI_STATE_DIR");
        pb.environment().remove("TIYI_API");
        pb.environment().putAll(env);
        return new TiyiProcess(pb.start());
    }

    /**
     * Starts {@code bin/tiyi} with {@code args}, running the jar under test, so the JVM gets the
     * options the launcher chooses (its default heap unless {@code TIYI_JAVA_OPTS} is in {@code env}).
     * {@code gcLog} receives the JVM's GC log, passed through {@code JDK_JAVA_OPTIONS}, which the
     * {@code java} launcher adds to the launcher's options instead of replacing them.
     */
    static TiyiProcess launch(Map<String, String> env, Path gcLog, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("../bin/tiyi").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TIYI_AUTH_JWT_SECRET");
        pb.environment().remove("TIYI_STATE_DIR");
        pb.environment().remove("TIYI_API");
        pb.environment().remove("TIYI_JAVA_OPTS");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        pb.environment().put("PATH", javaBin + java.io.File.pathSeparator + pb.environment().getOrDefault("PATH", ""));
        pb.environment().put("TIYI_JAR", jar().toString());
        pb.environment().put("JDK_JAVA_OPTIONS", "-Xlog:gc,gc+init:file=" + gcLog.toAbsolutePath());
        pb.environment().putAll(env);
        return new TiyiProcess(pb.start());
    }

    /** Waits for the ready line; returns the admin URL. */
    String awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : lines) {
                Matcher m = READY.matcher(l);
                if (m.find()) {
                    return m.group(2);
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("tiyi exited with " + process.exitValue() + ":\n" + String.join("\n", lines));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tiyi not ready after " + timeout + ":\n" + String.join("\n", lines));
    }

    /** Waits for a line that matches {@code pattern}; returns its first group (or the whole match without groups). */
    String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : lines) {
                Matcher m = pattern.matcher(l);
                if (m.find()) {
                    return m.groupCount() > 0 ? m.group(1) : m.group();
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("tiyi exited with " + process.exitValue() + " before logging " + pattern + ":\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tiyi did not log " + pattern + " within " + timeout + ":\n" + output());
    }

    /** The data-plane HTTP port the node logged. */
    int dataPlanePort() {
        Pattern dp = Pattern.compile("INFO data plane: HTTP on \\S*:(\\d+)");
        for (String l : lines) {
            Matcher m = dp.matcher(l);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no data plane line in:\n" + output());
    }

    /** Sends SIGKILL (kill -9) and waits for the process to die. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and returns the exit code. */
    int terminate() throws InterruptedException {
        // Process.destroy() would also close our end of its output; the handle only signals.
        process.toHandle().destroy();
        return awaitExit();
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(600, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tiyi did not exit within 600 s:\n" + String.join("\n", lines));
        }
        reader.join(5000);
        return process.exitValue();
    }

    String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
