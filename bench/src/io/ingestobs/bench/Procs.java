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

    /** The bench's own runtime: the broker's JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The runtime of the JVMs measured (the pipeline, the producer and their fresh raw references): BENCH_JAVA_HOME
     * when set (e.g. a newer JDK, to measure what the runtime alone changes), else the bench's own. The bytecode is
     * the same either way (built by bench/run with the project's JDK).
     */
    static String measuredJava() {
        return tool("java").toString();
    }

    /** A JDK tool (jstat, jcmd, jstack) of the measured JVMs' runtime, so that it matches the JVM it reads. */
    static Path tool(String name) {
        String home = System.getenv("BENCH_JAVA_HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("java.home") : home.trim(), "bin", name);
    }

    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(".")).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // the pipeline reads its settings from the environment: start from the bench's, minus what would mislead
        builder.environment().keySet().removeIf(k -> List.of("ROLE", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC",
                "KAFKA_DLQ_TOPIC", "KAFKA_GROUP_ID", "LOKI_URL", "METRICS_PORT", "LOGS_FILE_PATH", "INPUT_DIR",
                "JAVA_TOOL_OPTIONS").contains(k));
        builder.environment().putAll(env);
        Process process = builder.start();
        CHILDREN.add(process);
        return process;
    }

    /**
     * The extra JVM options BENCH_PIPELINE_JAVA_OPTS gives the pipeline's JVMs and their raw references (e.g.
     * {@code -XX:StartFlightRecording=filename=target/bench/producer.jfr,settings=profile}); none when unset.
     */
    static List<String> benchPipelineJavaOpts() {
        String extra = System.getenv("BENCH_PIPELINE_JAVA_OPTS");
        return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
    }

    /** User + system CPU seconds of a process so far, from /proc (Linux); NaN elsewhere. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat(5), counted after the command name: utime, stime in clock ticks (100 Hz)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU seconds the whole machine spent busy so far, all cores together (Linux /proc/stat); NaN elsewhere. */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU seconds of each thread of a process (Linux), by "name/tid". */
    static Map<String, Double> threadCpuSeconds(long pid) {
        Map<String, Double> threads = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    threads.put(name + "/" + task.getFileName(),
                            (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0);
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return threads;
    }

    /**
     * The Java names of a JVM's threads by Linux thread id, from one {@code jstack} ({@code nid=0x...}): /proc
     * cuts a name to 15 characters, which leaves Camel's consumer thread and its Loki pushers under one name.
     */
    static Map<String, String> javaThreadNames(long pid) {
        Map<String, String> names = new java.util.HashMap<>();
        try {
            Process p = new ProcessBuilder(tool("jstack").toString(),
                    Long.toString(pid)).redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            // nid in hex up to JDK 17 ("nid=0x1f2e"), in decimal from JDK 19 on ("nid=7982")
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\"(.*)\" .* nid=(0x)?([0-9a-f]+) ")
                    .matcher(dump);
            while (m.find()) {
                names.put(Long.toString(Long.parseLong(m.group(3), m.group(2) == null ? 10 : 16)), m.group(1));
            }
        } catch (IOException | InterruptedException | RuntimeException ignored) {
            // no jstack: the /proc names only
        }
        return names;
    }

    /** The threads that used the most CPU between two {@link #threadCpuSeconds} readings, grouped by name. */
    static String threadCpuDiff(Map<String, Double> before, Map<String, Double> after) {
        return threadCpuDiff(before, after, Map.of());
    }

    /** As above, with the threads' Java names where {@code javaNames} (by thread id) has them. */
    static String threadCpuDiff(Map<String, Double> before, Map<String, Double> after, Map<String, String> javaNames) {
        Map<String, Double> byName = new java.util.TreeMap<>();
        after.forEach((thread, cpu) -> {
            String tid = thread.substring(thread.lastIndexOf('/') + 1);
            String name = javaNames.getOrDefault(tid, thread.substring(0, thread.lastIndexOf('/')))
                    .replaceAll("[0-9]+", "N");
            byName.merge(name, cpu - before.getOrDefault(thread, 0.0), Double::sum);
        });
        StringBuilder out = new StringBuilder();
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .forEach(e -> out.append(String.format(java.util.Locale.ROOT, "%7.2f s  %s%n", e.getValue(),
                        e.getKey())));
        return out.toString();
    }

    /** SIGTERM, as a container stop would; forcibly after a minute. */
    static void stop(Process process) throws InterruptedException {
        stop(process, 60);
    }

    /** SIGTERM; forcibly after {@code seconds}. */
    static void stop(Process process, long seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
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
        Path jstat = tool("jstat");
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
