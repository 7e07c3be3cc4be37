package io.ingestobs.bench;

import io.ingestobs.domain.CanonicalRunTranscoder;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.domain.TimestampParser;
import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.ParsedRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file → Kafka stage against a raw kafka-clients producer, on the same broker and the same events
 * (docs/benchmark.md, "Producer"): {@code ROLE=producer} publishes a generated JSON Lines file with the JVM options
 * the image ships, then a plain {@link KafkaProducer} loop with the producer settings the pipeline resolves (acks,
 * idempotence, linger, batch size, compression) sends the events the pipeline makes of that file, read from a file
 * written beforehand, so that it does nothing but send.
 */
final class ProducerBench {

    /** One invalid line (a bad timestamp) in this many: the DLQ path runs under load and is counted. */
    static final int INVALID_EVERY = 250_000;
    private static final Path OUT = Path.of("target", "bench");
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final Pattern LOG_LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");

    /** What one size measured. */
    record Result(int mib, long lines, long published, long deadLetters, double pipelinePerSecond,
                  double rawPerSecond, double inBenchRawPerSecond, Procs.Heap heap, double liveMib, String figure) {
        double ratio() {
            return pipelinePerSecond / rawPerSecond;
        }
    }

    /** The generated input, the events the pipeline makes of its valid lines, and their counts. */
    private record Inputs(Path jsonLines, Path events, long lines, long valid) {
    }

    private final String bootstrap;
    private final List<String> javaOpts;
    private final Admin admin;

    interface Admin {
        void createTopics(String... topics) throws Exception;

        long endOffsets(String topic) throws Exception;

        double liveHeap(Process process, Path out) throws Exception;

        /** The broker's process id, for its CPU: the budget the producers share the machine with. */
        long brokerPid();
    }

    /** CPU seconds of the bench's JVM, the broker and the whole machine at one moment. */
    private record Cpu(double self, double broker, double machine) {
        static Cpu now(long brokerPid) {
            return new Cpu(Procs.cpuSeconds(ProcessHandle.current().pid()), Procs.cpuSeconds(brokerPid),
                    Procs.machineBusySeconds());
        }

        /** Per million records, from {@code before} to this reading, with the share of both cores used. */
        String since(Cpu before, long records, double seconds, String self) {
            double m = records / 1e6;
            return String.format(Locale.ROOT, "CPU per million records: %s %.2f s, broker %.2f s, machine %.2f s "
                            + "(machine busy %.0f %% of 2 cores over %.1f s)", self, (this.self - before.self) / m,
                    (broker - before.broker) / m, (machine - before.machine) / m,
                    100 * (machine - before.machine) / (2 * seconds), seconds);
        }
    }

    ProducerBench(String bootstrap, List<String> javaOpts, Admin admin) {
        this.bootstrap = bootstrap;
        this.javaOpts = javaOpts;
        this.admin = admin;
    }

    Result run(int mib, long timeoutSeconds) throws Exception {
        Inputs in = inputs(mib);
        sameEvents(in, 5_000);
        Map<String, String> settings = producerSettings();
        Bench.log("producer settings (application.properties, environment): %s", settings);

        // the raw producer runs just before and just after the pipeline, the machine's other load moving meanwhile;
        // the ratio takes the mean of the two. Each is a fresh JVM with the pipeline's options (RawProducer), as the
        // pipeline is: a loop in this warm -Xmx3g JVM measured up to twice as fast (docs/benchmark.md, round 5)
        double rawBefore = rawRun("bench-raw-producer-" + mib + "-before", in, settings, true);

        // 1. the pipeline, ROLE=producer, as shipped
        String load = loadAverage();
        String topic = "bench-input-" + mib;
        admin.createTopics(topic, topic + ".dlq");
        String name = "producer-" + mib + "mib";
        Path log = OUT.resolve(name + ".log");
        Path gcLog = OUT.resolve(name + "-gc.log");
        Cpu cpuBefore = Cpu.now(admin.brokerPid());
        long launched = System.nanoTime();
        Process process = Procs.start(producerCommand(gcLog), producerEnv(topic, in), log);
        double[] pipelineCpu = {0};
        // each thread's CPU, read until the process exits: which stage is the bottleneck
        List<Map<String, Double>> threads = new ArrayList<>(List.of(Map.of()));
        Process jstat = Procs.jstat(process.pid(), OUT.resolve(name + "-jstat.txt"));
        Procs.awaitLine(log, "Chargé", TimeUnit.MINUTES.toMillis(10), process);
        // live heap (a full collection, then what is left) once, a while into the publishing
        double live = Double.NaN;
        Map<String, String> threadNames = Map.of();
        if (!waitFor(process, 5, pipelineCpu, threads)) {
            threadNames = Procs.javaThreadNames(process.pid());
            // the histogram's full collection is skipped while a thread holds the GC locker (lz4's JNI compressor,
            // in Kafka's client, holds it often): that histogram counts dead objects too (the GC log says "pre-dump
            // GC was skipped"), so the smallest of three is taken
            live = admin.liveHeap(process, OUT.resolve(name + "-histogram-publishing.txt"));
            for (int i = 1; i < 3 && process.isAlive(); i++) {
                live = Math.min(live, admin.liveHeap(process, OUT.resolve(name + "-histogram-publishing-" + i
                        + ".txt")));
            }
        }
        boolean complete = waitFor(process, timeoutSeconds, pipelineCpu, threads);
        Cpu cpuAfter = Cpu.now(admin.brokerPid());
        double processSeconds = (System.nanoTime() - launched) / 1e9;
        if (!complete) {
            Procs.stop(process);
        }
        Procs.stop(jstat);
        Procs.Heap heap = Procs.heap(OUT.resolve(name + "-jstat.txt"), gcLog);
        String text = Files.readString(log);
        long published = admin.endOffsets(topic);
        long deadLetters = admin.endOffsets(topic + ".dlq");
        Matcher done = Pattern.compile("Producteur terminé: (\\d+) succès, (\\d+) erreurs").matcher(text);
        if (!complete || !done.find()) {
            throw new IllegalStateException("the producer did not publish " + in.jsonLines() + " within "
                    + timeoutSeconds + " s: " + published + " on the topic; see " + log);
        }
        long succes = Long.parseLong(done.group(1));
        long erreurs = Long.parseLong(done.group(2));
        if (succes != published || erreurs != deadLetters || published + deadLetters != in.lines()
                || published != in.valid() || process.exitValue() != 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "records unaccounted for: %d lines (%d valid), "
                            + "%d on the topic, %d in the DLQ, summary %d succès %d erreurs, exit %d; see %s",
                    in.lines(), in.valid(), published, deadLetters, succes, erreurs, process.exitValue(), log));
        }
        // from Camel started (the timer that reads the file fires 0.5 s later) to the summary line: the survey pass,
        // the publishing and every acknowledgement; the JVM's start and stop are in processSeconds
        double started = logSeconds(text, " started in ");
        double surveyed = logSeconds(text, "Chargé ");
        double finished = logSeconds(text, "Producteur terminé");
        double seconds = finished - started;
        double pipelineRate = in.lines() / seconds;
        Bench.log("producer %d MiB: %d lines (%d valid) in %.1f s from Camel started to the summary (survey pass "
                        + "%.1f s), %.0f records/s; process %.1f s; %d on the topic, %d in the DLQ; heap peak %.0f MiB, "
                        + "live %.0f MiB", mib, in.lines(), in.valid(), seconds, surveyed - started, pipelineRate,
                processSeconds, published, deadLetters, heap.peakMib(), live);

        load += " → " + loadAverage();
        Bench.log("producer %d MiB: whole process (JVM start, count pass, publishing, stop): pipeline CPU %.2f s per "
                        + "million records; %s", mib, pipelineCpu[0] / (in.lines() / 1e6),
                cpuAfter.since(cpuBefore, in.lines(), processSeconds, "bench JVM"));
        Bench.log("producer %d MiB: CPU seconds of the pipeline's threads (whole process):%n%s", mib,
                Procs.threadCpuDiff(Map.of(), threads.get(0), threadNames));
        if (Aot.ENABLED) {
            Bench.log("producer %d MiB: %s", mib, Aot.classesLoaded("producer"));
        }

        // 2. the raw producer again, same broker, same settings, the same events, on a topic of its own
        double rawAfter = rawRun("bench-raw-producer-" + mib + "-after", in, settings, true);
        double rawRate = (rawBefore + rawAfter) / 2;
        // the reference as earlier rounds measured it, a loop inside this bench's JVM (warm, -Xmx3g): shown beside the
        // same-conditions one, not used for the ratio (BENCH_INBENCH_RAW=0 skips it)
        double inBench = "0".equals(System.getenv("BENCH_INBENCH_RAW")) ? Double.NaN
                : rawRun("bench-raw-producer-" + mib + "-inbench", in, settings, false);

        String figure = String.format(Locale.ROOT, "%d records (%d valid) in %.1f s, %.0f records/s (count pass "
                        + "%.1f s of it; whole process %.1f s; load average %s); raw producer (fresh JVM, the pipeline's "
                        + "JVM options) %.0f records/s (%.0f before, %.0f after); ratio %.2f; [raw loop inside the "
                        + "warm -Xmx3g bench JVM, the earlier rounds' reference: %.0f records/s, ratio %.2f]; topic "
                        + "%d + DLQ %d = %d lines; heap peak %.0f MiB (jstat %.0f, before GC %.0f), live %.0f MiB",
                in.lines(), in.valid(), seconds, pipelineRate, surveyed - started, processSeconds, load, rawRate,
                rawBefore, rawAfter, pipelineRate / rawRate, inBench, pipelineRate / inBench, published, deadLetters,
                in.lines(), heap.peakMib(), heap.sampledPeakMib(), heap.beforeGcPeakMib(), live);
        return new Result(mib, in.lines(), published, deadLetters, pipelineRate, rawRate, inBench, heap, live,
                figure);
    }

    /**
     * BENCH_AOT=1 ({@link Aot}): the producer's and the raw producer's AOT caches, each written by a run of the same
     * command as measured, on the {@code mib} MiB input (smaller than the measured one) and topics of their own.
     */
    void train(int mib) throws Exception {
        Inputs in = inputs(mib);
        String topic = "bench-aot-training-input-" + mib;
        admin.createTopics(topic, topic + ".dlq");
        Path log = OUT.resolve("aot-training-producer.log");
        Process process = Procs.start(producerCommand(OUT.resolve("aot-training-producer-gc.log")),
                producerEnv(topic, in), log);
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
            Procs.stop(process);
            throw new IllegalStateException("the producer's AOT training run failed; see " + log);
        }
        Bench.log("AOT cache of the producer written: %s", Aot.created("producer"));
        rawRun("bench-aot-training-raw-producer-" + mib, in, producerSettings(), true);
        Bench.log("AOT cache of the raw producer written: %s", Aot.created("raw-producer"));
    }

    /** The ROLE=producer JVM as the image runs it (and BENCH_PIPELINE_JAVA_OPTS, and BENCH_AOT's cache). */
    private List<String> producerCommand(Path gcLog) {
        List<String> command = new ArrayList<>(List.of(Procs.measuredJava(), "-Xlog:gc:file=" + gcLog));
        command.addAll(pipelineJvmOptions(null));
        command.addAll(Aot.options("producer"));
        command.addAll(List.of("-jar", "target/ingestion-observability.jar"));
        return command;
    }

    private Map<String, String> producerEnv(String topic, Inputs in) {
        Map<String, String> env = new HashMap<>();
        env.put("ROLE", "producer");
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_DLQ_TOPIC", topic + ".dlq");
        env.put("LOGS_FILE_PATH", in.jsonLines().toString());
        return env;
    }

    /**
     * Waits up to {@code seconds} for the process to end, reading its CPU seconds meanwhile into {@code cpu[0]}
     * (its /proc entry goes when it exits).
     */
    private static boolean waitFor(Process process, long seconds, double[] cpu, List<Map<String, Double>> threads)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            double now = Procs.cpuSeconds(process.pid());
            cpu[0] = Double.isNaN(now) ? cpu[0] : now;
            // a thread's last reading is kept when it ends (the file's read-ahead thread ends before the process)
            Map<String, Double> perThread = new HashMap<>(threads.get(0));
            Procs.threadCpuSeconds(process.pid()).forEach((thread, used) -> perThread.merge(thread, used,
                    Math::max));
            threads.set(0, perThread);
            if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JVM options of the ROLE=producer process: the image's JAVA_OPTS, then BENCH_PIPELINE_JAVA_OPTS. For another
     * process ({@code tag} not null) a flight recording's file name gets the tag, so that it does not overwrite the
     * pipeline's recording.
     */
    private List<String> pipelineJvmOptions(String tag) {
        List<String> options = new ArrayList<>(javaOpts);
        for (String option : Procs.benchPipelineJavaOpts()) {
            options.add(tag == null ? option : option.replaceAll("filename=([^,]*?)(\\.jfr)?(,|$)",
                    "filename=$1-" + tag + ".jfr$3"));
        }
        return options;
    }

    /**
     * The raw producer on a topic of its own: a fresh JVM with the pipeline's options ({@code fresh}), or a loop in
     * this JVM (the reference of the rounds before the fifth).
     */
    private double rawRun(String topic, Inputs in, Map<String, String> settings, boolean fresh) throws Exception {
        admin.createTopics(topic);
        // the leaders answer before the first send: a send to a partition whose leader is not ready yet was
        // answered NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.endOffsets(topic);
                break;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        double rate = fresh ? freshRaw(topic, in, settings) : raw(topic, in, settings);
        long onTopic = admin.endOffsets(topic);
        if (onTopic != in.valid()) {
            throw new IllegalStateException("the raw producer's topic holds " + onTopic + " of " + in.valid());
        }
        return rate;
    }

    /** The machine's 1-minute load average (other people's builds share its 2 cores). */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private double freshRaw(String topic, Inputs in, Map<String, String> settings) throws Exception {
        List<String> command = new ArrayList<>(List.of(Procs.measuredJava()));
        command.addAll(pipelineJvmOptions(topic.substring(topic.lastIndexOf('-') + 1) + "-raw"));
        command.addAll(Aot.options("raw-producer"));
        command.addAll(List.of("-cp", Bench.CLASSPATH,
                RawProducer.class.getName(), bootstrap, topic, in.events().toString(), Long.toString(in.valid())));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        Path log = OUT.resolve(topic + ".log");
        Cpu cpuBefore = Cpu.now(admin.brokerPid());
        long launched = System.nanoTime();
        Process process = Procs.start(command, Map.of(), log);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            Procs.stop(process);
            throw new IllegalStateException("the raw producer did not finish within 10 minutes; see " + log);
        }
        double processSeconds = (System.nanoTime() - launched) / 1e9;
        Cpu cpuAfter = Cpu.now(admin.brokerPid());
        Matcher m = Pattern.compile("RAW_PRODUCER sent=(\\d+) seconds=([0-9.]+) cpu_seconds=([0-9.NaN]+)")
                .matcher(Files.readString(log));
        if (process.exitValue() != 0 || !m.find()) {
            throw new IllegalStateException("the raw producer failed (exit " + process.exitValue() + "); see " + log);
        }
        long sent = Long.parseLong(m.group(1));
        double seconds = Double.parseDouble(m.group(2));
        if (Aot.ENABLED && !Aot.training()) {
            Bench.log("raw producer: %s", Aot.classesLoaded("raw-producer"));
        }
        Bench.log("raw producer (fresh JVM %s): %d events sent and acknowledged in %.1f s: %.0f records/s, its CPU "
                        + "%.2f s per million records while sending; whole process %.1f s: %s",
                String.join(" ", pipelineJvmOptions(null)), sent, seconds, sent / seconds,
                Double.parseDouble(m.group(3)) / (sent / 1e6), processSeconds,
                cpuAfter.since(cpuBefore, sent, processSeconds, "bench JVM"));
        return sent / seconds;
    }

    private double raw(String topic, Inputs in, Map<String, String> settings) throws Exception {
        Map<String, Object> config = new HashMap<>(settings);
        config.put("bootstrap.servers", bootstrap);
        Cpu[] cpuBefore = new Cpu[1];
        RawProducer.Sent sent = RawProducer.send(config, topic, in.events(), in.valid(),
                () -> cpuBefore[0] = Cpu.now(admin.brokerPid()));
        Cpu cpuAfter = Cpu.now(admin.brokerPid());
        double seconds = sent.seconds();
        Bench.log("raw producer (loop in the bench JVM): %d events sent and acknowledged in %.1f s: %.0f records/s; %s",
                sent.records(), seconds, sent.records() / seconds,
                cpuAfter.since(cpuBefore[0], sent.records(), seconds, "raw loop (bench JVM)"));
        return sent.records() / seconds;
    }

    /**
     * The producer settings the pipeline resolves for its topic endpoint (routes/producer.yaml): acks and
     * idempotence as the route sets them, linger, batch size and compression from application.properties and the
     * environment, so that the raw producer runs with the same.
     */
    static Map<String, String> producerSettings() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ProducerBench.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("acks", "all");
        settings.put("enable.idempotence", "true");
        settings.put("linger.ms", resolve(properties, "producer.lingerMs"));
        settings.put("batch.size", resolve(properties, "producer.kafkaBatchBytes"));
        settings.put("compression.type", resolve(properties, "producer.compression"));
        return settings;
    }

    private static String resolve(Properties properties, String key) {
        String value = properties.getProperty(key);
        Matcher m = Pattern.compile("\\{\\{env:([A-Z_0-9]+):([^}]*)}}").matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new IllegalStateException(key + " is not {{env:NAME:default}} in application.properties: " + value);
        }
        String env = System.getenv(m.group(1));
        return env == null || env.isBlank() ? m.group(2) : env.trim();
    }

    /** Seconds of the day (with the date) of the first log line that contains {@code marker}. */
    private static double logSeconds(String log, String marker) {
        for (String line : log.split("\n")) {
            if (line.contains(marker)) {
                Matcher m = LOG_LINE.matcher(line);
                if (m.find()) {
                    return LocalDateTime.parse(m.group(1), LOG_TIME).toInstant(ZoneOffset.UTC).toEpochMilli() / 1e3;
                }
            }
        }
        throw new IllegalStateException("no log line with '" + marker + "'");
    }

    /**
     * A JSON Lines input of about {@code mib} MiB of the bench's runs, one invalid line in {@value #INVALID_EVERY},
     * and beside it the events the pipeline makes of its valid lines (key and value, length-prefixed); both kept in
     * target/bench between runs.
     */
    private static Inputs inputs(int mib) throws IOException {
        Path file = OUT.resolve("producer-input-" + mib + "mib.jsonl");
        Path events = OUT.resolve("producer-events-" + mib + "mib.bin");
        Path counts = OUT.resolve("producer-input-" + mib + "mib.counts");
        if (Files.exists(file) && Files.exists(events) && Files.exists(counts)) {
            String[] c = Files.readString(counts).trim().split(" ");
            return new Inputs(file, events, Long.parseLong(c[0]), Long.parseLong(c[1]));
        }
        long start = System.nanoTime();
        long target = mib * 1048576L;
        long written = 0;
        long lines = 0;
        long valid = 0;
        try (BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file),
                StandardCharsets.UTF_8), 1 << 20);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(events),
                     1 << 20))) {
            while (written < target) {
                RunRecord run = Synth.run(lines, null);
                String line;
                if (lines % INVALID_EVERY == INVALID_EVERY - 1) {
                    line = Synth.inputLine(run).replaceFirst("\"Debut\":\"[^\"]*\"", "\"Debut\":\"15/09/2025 10h\"")
                            .replaceFirst("\"Fin\":\"[^\"]*\"", "\"Fin\":\"demain\"");
                } else {
                    line = Synth.inputLine(run);
                    byte[] key = Synth.key(run).getBytes(StandardCharsets.UTF_8);
                    byte[] value = Synth.event(run);
                    out.writeShort(key.length);
                    out.write(key);
                    out.writeInt(value.length);
                    out.write(value);
                    valid++;
                }
                lines++;
                writer.write(line);
                writer.write('\n');
                written += line.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        Files.writeString(counts, lines + " " + valid + "\n");
        Bench.log("wrote %s: %d lines (%d valid), %.0f MiB, and their events, in %.1f s", file, lines, valid,
                Files.size(file) / 1048576.0, (System.nanoTime() - start) / 1e9);
        return new Inputs(file, events, lines, valid);
    }

    /**
     * The events the raw producer sends are those the pipeline makes of the file, byte for byte: checked on its first
     * lines.
     */
    private static void sameEvents(Inputs in, int lines) throws IOException {
        RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        int checked = 0;
        // read as the pipeline reads it: the lines in the plain form transcoded, the others the reference way
        CanonicalRunTranscoder transcoder = CanonicalRunTranscoder.forZone(ZoneOffset.UTC, Thresholds.DEFAULT,
                EventRestructurer.DEFAULT_DESCRIPTION_MAX_BYTES);
        try (InputRecordStream records = InputRecordStream.open(in.jsonLines(), validator, transcoder);
             DataInputStream events = new DataInputStream(new BufferedInputStream(Files.newInputStream(in.events())))) {
            while (records.hasNext() && checked < lines) {
                ParsedRecord record = records.next();
                if (!record.valid()) {
                    continue;
                }
                byte[] key = new byte[events.readUnsignedShort()];
                events.readFully(key);
                byte[] value = new byte[events.readInt()];
                events.readFully(value);
                String source = record.transcoded() != null ? record.transcoded().key() : record.run().source();
                byte[] event = record.transcoded() != null ? record.transcoded().event()
                        : EventJson.write(restructurer.restructure(record.run()));
                if (!new String(key, StandardCharsets.UTF_8).equals(source) || !Arrays.equals(value, event)) {
                    throw new IllegalStateException("the raw producer's event differs from the pipeline's at "
                            + record.position());
                }
                checked++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
