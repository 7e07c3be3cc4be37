package io.ingestobs.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Child JVMs of the bench (broker, pipeline, producer), their heap as the JVM itself reports it, their end. */
final class Procs {

    private static final List<Process> CHILDREN = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CHILDREN.forEach(Process::destroyForcibly)));
    }

    private Procs() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(".")).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // the pipeline reads its settings from the environment: start from the bench's, minus what would mislead
        builder.environment().keySet().removeIf(k -> k.equals("ROLE") || k.startsWith("KAFKA_")
                || k.equals("LOKI_URL") || k.equals("METRICS_PORT") || k.equals("LOGS_FILE_PATH")
                || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        Process process = builder.start();
        CHILDREN.add(process);
        return process;
    }

    /** SIGTERM, as a container stop would; forcibly after a minute. */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        CHILDREN.remove(process);
    }

    static void awaitLine(Path log, String marker, long timeoutMs, Process process) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(marker)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("process ended before '" + marker + "'; see " + log);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + marker + "' within " + timeoutMs + " ms; see " + log);
    }

    /** {@code jstat -gc <pid> 100}: the JVM's own heap counters every 100 ms, read without touching the JVM. */
    static Process jstat(long pid, Path out) throws IOException {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        Process p = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid), "100")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        CHILDREN.add(p);
        return p;
    }

    /** Heap figures of one JVM, MiB: the highest sample, and the highest after a collection (the live set). */
    record Heap(double sampledPeakMib, double beforeGcPeakMib, double afterGcPeakMib, int collections) {
        double peakMib() {
            return Math.max(sampledPeakMib, beforeGcPeakMib);
        }
    }

    private static final Pattern PAUSE = Pattern.compile("Pause.* ([0-9.]+)ms$");

    static double gcPauseMillis(Path gcLog) throws IOException {
        double total = 0;
        if (Files.exists(gcLog)) {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    total += Double.parseDouble(m.group(1));
                }
            }
        }
        return total;
    }

    private static final Pattern GC_LINE = Pattern.compile("Pause.*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    static Heap heap(Path jstatOut, Path gcLog) throws IOException {
        double sampled = 0;
        if (Files.exists(jstatOut)) {
            List<String> header = new ArrayList<>();
            for (String line : Files.readAllLines(jstatOut)) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 0 && cols[0].equals("S0C")) {
                    header = List.of(cols);
                    continue;
                }
                if (header.isEmpty() || cols.length != header.size()) {
                    continue;
                }
                try {
                    double kb = 0;
                    for (String used : List.of("S0U", "S1U", "EU", "OU")) {
                        kb += Double.parseDouble(cols[header.indexOf(used)]);
                    }
                    sampled = Math.max(sampled, kb / 1024);
                } catch (NumberFormatException ignored) {
                    // a partial line at the end
                }
            }
        }
        double before = 0;
        double after = 0;
        int collections = 0;
        if (Files.exists(gcLog)) {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    collections++;
                    before = Math.max(before, Double.parseDouble(m.group(1)));
                    after = Math.max(after, Double.parseDouble(m.group(2)));
                }
            }
        }
        return new Heap(sampled, before, after, collections);
    }
}
