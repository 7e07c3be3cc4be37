package io.ingestobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.RunRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run}: the pipeline's throughput against a raw consumer, its end-to-end latency, its heap, the
 * producer's heap on big inputs and the cost of one scrape, on one real Kafka broker. See docs/benchmark.md.
 */
public final class Bench {

    private static final Path OUT = Path.of("target", "bench");
    /** The bench's classes as a jar (bench/run): an AOT cache takes classes from jars only, not from directories. */
    static final String CLASSPATH = String.join(java.io.File.pathSeparator,
            "target/bench-classes.jar", "target/ingestion-observability.jar");
    /** Events of the drain's and the raw loop's AOT training runs (BENCH_AOT=1): fewer than measured. */
    private final long aotTrainingRecords = longEnv("BENCH_AOT_TRAINING_RECORDS", 200_000);

    private final long records = longEnv("BENCH_RECORDS", 1_000_000);
    private final int latencyRate = (int) longEnv("BENCH_LATENCY_RATE", 10_000);
    private final int latencySeconds = (int) longEnv("BENCH_LATENCY_SECONDS", 20);
    /**
     * Seconds of the same traffic before the measured ones: a consumer runs for days, so the figure is that of a
     * pipeline whose JIT and meters are done; the runs of these seconds (a fresh JVM's cold start) are reported
     * beside it, not hidden. 0: measure from the first run, as before.
     */
    private final int latencyWarmupSeconds = (int) longEnv("BENCH_LATENCY_WARMUP_SECONDS", 5);
    private final List<Integer> producerMib = parseSizes(System.getenv().getOrDefault("BENCH_PRODUCER_MB",
            records >= 1_000_000 ? "100,1000" : "10,100"));
    private final boolean jfr = "1".equals(System.getenv("BENCH_JFR"));
    /** Wall-clock profile of the consumer thread during the drain: jstack every 100 ms. */
    private final boolean jstack = "1".equals(System.getenv("BENCH_JSTACK"));
    /** For profiling one phase: e.g. BENCH_PHASES=drain (default: raw,drain,latency,producer). */
    private final Set<String> phases = Set.of(System.getenv().getOrDefault("BENCH_PHASES",
            "raw,drain,drainDefaultHeap,latency,producer").split(","));
    /**
     * The JVM options the product ships with: the container image's JAVA_OPTS (Dockerfile), which the README
     * gives for a consumer run with {@code java -jar} too. Every pipeline and producer JVM of the bench runs with
     * them, except the drain that measures the JVM's default heap sizing.
     */
    private final List<String> shippedJavaOpts = shippedJavaOpts();
    /** Seconds a producer run may take to publish its whole input before the bench gives up on it. */
    private final long producerTimeoutSeconds = longEnv("BENCH_PRODUCER_TIMEOUT_S", 900);
    private final Map<String, String> table = new LinkedHashMap<>();
    private String bootstrap;
    private Process broker;

    public static void main(String[] args) throws Exception {
        Files.createDirectories(OUT);
        Bench bench = new Bench();
        int code = 0;
        try {
            bench.run();
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        } finally {
            bench.stopBroker();
        }
        System.exit(code);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        log("records=%d latency=%d runs/s for %d s producer inputs=%s MiB jfr=%s", records, latencyRate,
                latencySeconds, producerMib, jfr);
        startBroker();
        createTopics("bench-drain", "bench-drain.dlq", "bench-latency", "bench-latency.dlq");
        if (Aot.ENABLED || Aot.WARMUP_ONLY) {
            trainAotCaches();
        }

        if (phases.stream().anyMatch(p -> !p.equals("producer"))) {
            double eventBytes = load("bench-drain", records);
            table.put("records / event size", String.format(Locale.ROOT, "%d events, %.0f bytes average", records,
                    eventBytes));
        }

        double rawBenchJvm = phases.contains("raw") ? raw("bench-drain") : Double.NaN;
        // the reference of the ratio: the raw loop under the pipeline's own conditions (a fresh JVM, its options)
        double raw = phases.contains("raw") ? rawFreshJvm("bench-drain") : Double.NaN;
        Drain drain = phases.contains("drain") ? drain("bench-drain")
                : new Drain(Double.NaN, new Procs.Heap(Double.NaN, Double.NaN, Double.NaN, 0), Double.NaN);
        if (phases.contains("drainDefaultHeap")) {
            drainDefaultHeap("bench-drain");
        }
        double pipeline = drain.runsPerSecond;
        double ratio = pipeline / raw;
        Latency latency = phases.contains("latency") ? latency("bench-latency")
                : new Latency(Double.NaN, Double.NaN, Double.NaN);
        ProducerBench.Result producer = null;
        if (phases.contains("producer")) {
            ProducerBench bench = producerBench();
            for (int mib : producerMib) {
                ProducerBench.Result result = bench.run(mib, producerTimeoutSeconds);
                table.put(String.format(Locale.ROOT, "producer (ROLE=producer, JAVA_OPTS as shipped) against a raw "
                        + "kafka-clients producer, %d MiB JSON Lines input", mib), result.figure());
                // the summary line: the largest input of at least 1 M records, else the largest
                if (producer == null || result.lines() >= producer.lines()) {
                    producer = result;
                }
            }
        }

        System.out.println();
        System.out.println("| figure | value |");
        System.out.println("|---|---|");
        table.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
        System.out.printf(Locale.ROOT, "%nbench took %.0f s%n", (System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT,
                "pipeline_runs_per_s=%.0f raw_runs_per_s=%.0f ratio=%.2f p99_latency_ms=%.0f heap_peak_mib=%.0f "
                        + "scrape_ms=%.0f producer_records_per_s=%.0f raw_producer_records_per_s=%.0f "
                        + "producer_ratio=%.2f producer_records=%d producer_heap_peak_mib=%.0f "
                        + "raw_bench_jvm_runs_per_s=%.0f ratio_bench_jvm=%.2f inbench_raw_producer_records_per_s=%.0f%n",
                pipeline, raw, ratio, latency.p99Ms, drain.heap.peakMib(), drain.scrapeMs,
                producer == null ? Double.NaN : producer.pipelinePerSecond(),
                producer == null ? Double.NaN : producer.rawPerSecond(),
                producer == null ? Double.NaN : producer.ratio(), producer == null ? 0 : producer.lines(),
                producer == null ? Double.NaN : producer.heap().peakMib(), rawBenchJvm, pipeline / rawBenchJvm,
                producer == null ? Double.NaN : producer.inBenchRawPerSecond());
    }

    /** The producer's bench on this run's broker. */
    private ProducerBench producerBench() {
        return new ProducerBench(bootstrap, shippedJavaOpts, new ProducerBench.Admin() {
            @Override
            public void createTopics(String... topics) throws Exception {
                Bench.this.createTopics(topics);
            }

            @Override
            public long endOffsets(String topic) throws Exception {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                    return Bench.endOffsets(admin, topic);
                }
            }

            @Override
            public double liveHeap(Process process, Path out) throws Exception {
                return Bench.liveHeap(process, out);
            }

            @Override
            public long brokerPid() {
                return broker.pid();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- broker

    private void startBroker() throws Exception {
        int port = freePort();
        Path log = OUT.resolve("broker.log");
        broker = Procs.start(List.of(Procs.java(), "-Xmx2g", "-cp", CLASSPATH, "io.ingestobs.bench.BrokerMain",
                Integer.toString(port)), Map.of(), log);
        Procs.awaitLine(log, "READY", 120_000, broker);
        bootstrap = "127.0.0.1:" + port;
        log("broker up on %s (own JVM, pid %d)", bootstrap, broker.pid());
    }

    private void stopBroker() {
        if (broker != null) {
            try {
                broker.getOutputStream().close();
                if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            } catch (Exception e) {
                broker.destroyForcibly();
            }
        }
    }

    private void createTopics(String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Arrays.stream(topics).filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, 3, (short) 1)).toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<String, byte[]> producer(int lingerMs) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", Integer.toString(lingerMs),
                "batch.size", Integer.toString(256 * 1024), "acks", "1"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Pre-loads {@code n} events; returns their average size. */
    private double load(String topic, long n) throws Exception {
        long start = System.nanoTime();
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = producer(20)) {
            for (long i = 0; i < n; i++) {
                RunRecord run = Synth.run(i, null);
                byte[] event = Synth.event(run);
                bytes += event.length;
                producer.send(new ProducerRecord<>(topic, Synth.key(run), event));
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log("loaded %d events (%.0f MiB) into %s in %.1f s", n, bytes / 1048576.0, topic, seconds);
        return (double) bytes / n;
    }

    // ------------------------------------------------------------------------------------------------- raw

    /** The raw loop in the bench's own JVM (-Xmx3g, G1, warmed by the load phase): the earlier rounds' figure. */
    private double raw(String topic) {
        RawLoop.Result r = RawLoop.run(bootstrap, topic, "bench-raw", records, broker.pid());
        Drained cpu = new Drained(0, r.ownCpu(), r.brokerCpu(), "", r.othersCpu());
        log("raw, in the bench's JVM: %d records parsed (%d fields) in %.2f s after the first poll: %.0f runs/s",
                r.records(), r.fields(), r.seconds(), r.rate());
        table.put("raw consumer (poll + Jackson readTree), in the bench's JVM (-Xmx3g, G1, after the load phase)",
                String.format(Locale.ROOT, "%.0f runs/s; %s", r.rate(),
                        cpu.cpu(r.records() - r.firstPoll()).replace("pipeline", "bench JVM")));
        return r.rate();
    }

    /**
     * The same raw loop in a fresh JVM with the pipeline's shipped JVM options (and BENCH_PIPELINE_JAVA_OPTS), as
     * the pipeline runs: a cold JIT, the 256 MiB ParallelGC heap. The bench's JVM has compiled Kafka's client and
     * Jackson before its raw loop (the load phase), which a fresh pipeline JVM has not.
     */
    private double rawFreshJvm(String topic) throws Exception {
        RawLoop.Result r = rawLoopJvm(topic, "bench-raw-fresh-jvm", records, "raw-fresh-jvm");
        Drained cpu = new Drained(0, r.ownCpu(), r.brokerCpu(), "", r.othersCpu());
        log("raw, in a fresh JVM with the shipped JAVA_OPTS: %d records parsed (%d fields) in %.2f s after the first "
                + "poll: %.0f runs/s", r.records(), r.fields(), r.seconds(), r.rate());
        table.put("raw consumer (poll + Jackson readTree), in a fresh JVM with the shipped JAVA_OPTS, as the "
                + "pipeline runs", String.format(Locale.ROOT, "%.0f runs/s; %s", r.rate(),
                cpu.cpu(r.records() - r.firstPoll()).replace("pipeline", "raw JVM")));
        return r.rate();
    }

    /** The raw loop's fresh JVM on {@code n} events of {@code topic}; its output in target/bench/{@code name}.log. */
    private RawLoop.Result rawLoopJvm(String topic, String group, long n, String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(Procs.measuredJava()));
        command.addAll(shippedJavaOpts);
        command.addAll(Procs.benchPipelineJavaOpts());
        command.addAll(Aot.options("raw-loop"));
        command.addAll(List.of("-cp", CLASSPATH, "io.ingestobs.bench.RawLoop", bootstrap, topic, group,
                Long.toString(n), Long.toString(broker.pid())));
        Path log = OUT.resolve(name + ".log");
        Process process = Procs.start(command, Map.of(), log);
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the raw loop's JVM failed; see " + log);
        }
        RawLoop.Result r = Files.readAllLines(log).stream().filter(l -> l.startsWith("RAW ")).findFirst()
                .map(RawLoop.Result::parse).orElseThrow(() -> new IllegalStateException("no RAW line in " + log));
        if (Aot.ENABLED && !Aot.training()) {
            log("raw loop: %s", Aot.classesLoaded("raw-loop"));
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------------- AOT

    /**
     * BENCH_AOT=1: the AOT cache of each fresh JVM kind of the phases asked for, each written by a run of the same
     * command on a smaller workload than the measured one (a topic of its own with the first
     * BENCH_AOT_TRAINING_RECORDS events; the producer's 100 MiB file), before anything is measured.
     */
    private void trainAotCaches() throws Exception {
        long start = System.nanoTime();
        Aot.training(true);
        try {
            if (phases.contains("raw") || phases.contains("drain")) {
                String topic = "bench-aot-training";
                createTopics(topic, topic + ".dlq");
                load(topic, aotTrainingRecords);
                if (phases.contains("raw")) {
                    rawLoopJvm(topic, "bench-aot-training-raw", aotTrainingRecords, "aot-training-raw-loop");
                    log("AOT cache of the raw loop written: %s", Aot.created("raw-loop"));
                }
                if (phases.contains("drain")) {
                    try (LeanLoki loki = new LeanLoki()) {
                        List<String> options = new ArrayList<>(shippedJavaOpts);
                        options.addAll(Aot.options("pipeline-drain"));
                        Pipeline p = startPipeline("aot-training-pipeline-drain", topic, "bench-aot-training-pipeline",
                                loki, false, options);
                        awaitCommitted(topic, "bench-aot-training-pipeline", p, loki);
                        Procs.stop(p.jstat());
                        // the cache is written as the JVM exits (a child JVM assembles it): a graceful stop, waited for
                        Procs.stop(p.process(), 600);
                    }
                    log("AOT cache of the pipeline's drain written: %s", Aot.created("pipeline-drain"));
                }
            }
            if (phases.contains("producer")) {
                producerBench().train(100);
            }
        } finally {
            Aot.training(false);
        }
        log("AOT caches trained in %.0f s", (System.nanoTime() - start) / 1e9);
    }

    // ------------------------------------------------------------------------------------------- pipeline

    private record Drain(double runsPerSecond, Procs.Heap heap, double scrapeMs) {
    }

    private record Pipeline(Process process, int metricsPort, Path jstatOut, Path gcLog, Process jstat) {
    }

    private Pipeline startPipeline(String name, String topic, String group, LeanLoki loki, boolean withJfr,
                                   List<String> jvmOptions) throws Exception {
        int metricsPort = freePort();
        Path log = OUT.resolve(name + ".log");
        Path gcLog = OUT.resolve(name + "-gc.log");
        List<String> command = new ArrayList<>(List.of(Procs.measuredJava(), "-Xlog:gc:file=" + gcLog));
        if (withJfr) {
            command.add("-XX:StartFlightRecording=filename=" + OUT.resolve(name + ".jfr") + ",settings=profile");
        }
        command.addAll(jvmOptions);
        // MetricsEndpoint at DEBUG, everything else as shipped: the pipeline's own time for each scrape
        command.add("-Dlog4j2.configurationFile=classpath:log4j2.xml,bench/log4j2-scrape-debug.xml");
        command.addAll(Procs.benchPipelineJavaOpts());
        command.addAll(List.of("-jar", "target/ingestion-observability.jar"));
        Map<String, String> env = new HashMap<>();
        env.put("ROLE", "consumer");
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_DLQ_TOPIC", topic + ".dlq");
        env.put("KAFKA_GROUP_ID", group);
        env.put("LOKI_URL", loki.url());
        env.put("METRICS_PORT", Integer.toString(metricsPort));
        Process process = Procs.start(command, env, log);
        Path jstatOut = OUT.resolve(name + "-jstat.txt");
        Process jstat = Procs.jstat(process.pid(), jstatOut);
        awaitHealthy(metricsPort, process, log);
        log("%s: pipeline JVM pid %d up, metrics on :%d", name, process.pid(), metricsPort);
        return new Pipeline(process, metricsPort, jstatOut, gcLog, jstat);
    }

    private Drain drain(String topic) throws Exception {
        try (LeanLoki loki = new LeanLoki()) {
            loki.markAt(records / 2);
            List<String> options = new ArrayList<>(shippedJavaOpts);
            options.addAll(Aot.options("pipeline-drain"));
            Pipeline p = startPipeline("pipeline-drain", topic, "bench-pipeline", loki, jfr, options);
            Drained drained = awaitCommitted(topic, "bench-pipeline", p, loki);
            if (Aot.ENABLED) {
                log("pipeline: %s", Aot.classesLoaded("pipeline-drain"));
            }
            long doneNanos = drained.doneNanos();
            long committed = records;
            long counted = records - loki.firstPushEntries();
            double seconds = (doneNanos - loki.firstPushNanos()) / 1e9;
            double rate = counted / seconds;
            double warmRate = (records - loki.markEntries()) / ((doneNanos - loki.markNanos()) / 1e9);
            Files.writeString(OUT.resolve("pipeline-drain-threads.txt"), drained.threads());
            log("pipeline CPU by thread during the drain:%n%s", drained.threads());
            double liveMib = liveHeap(p.process(), OUT.resolve("pipeline-drain-histogram.txt"));
            log("pipeline: %d committed, %d Loki entries in %d pushes (%.0f MiB, %d ms in the Loki stub); %.2f s "
                            + "from the first push to the last commit: %.0f runs/s", committed, loki.entries(),
                    loki.requests(), loki.bytes() / 1048576.0, loki.handlerMillis(), seconds, rate);
            table.put("pipeline drain (YAML routes, consumer JVM, Loki 204)", String.format(Locale.ROOT,
                    "%.0f runs/s (second half alone: %.0f runs/s); %d Loki entries in %d pushes; %s", rate,
                    warmRate, loki.entries(), loki.requests(), drained.cpu(counted)));

            // scrape with every source/objet pair of the drain loaded
            String metricsUrl = "http://127.0.0.1:" + p.metricsPort() + "/metrics";
            // Timed: request to last byte, as a scraper receives it, with a client that streams the body through a
            // reused buffer as Prometheus does (StreamingScrape), over HTTP/1.1 on a kept-alive connection. The body
            // of the untimed first GET is kept for the check below; decoding it is the bench's own work.
            byte[] bytes;
            double[] times;
            double[] byteArrayTimes;
            try (StreamingScrape scraper = new StreamingScrape("127.0.0.1", p.metricsPort(), "/metrics")) {
                scraper.get();
                bytes = scraper.body();
                double pipelineCpu = Procs.cpuSeconds(p.process().pid());
                double benchCpu = Procs.cpuSeconds(ProcessHandle.current().pid());
                times = new double[5];
                for (int i = 0; i < times.length; i++) {
                    long t = System.nanoTime();
                    scraper.get();
                    times[i] = (System.nanoTime() - t) / 1e6;
                }
                log("scrape, streaming client: every GET (ms) %s; CPU per GET: pipeline %.0f ms, the bench's "
                                + "client %.0f ms", ms(times),
                        (Procs.cpuSeconds(p.process().pid()) - pipelineCpu) * 1000 / times.length,
                        (Procs.cpuSeconds(ProcessHandle.current().pid()) - benchCpu) * 1000 / times.length);
            }
            // The client of the earlier rounds' figure, beside it: Java's HttpClient, HTTP/1.1, the body into one
            // byte[] (BodyHandlers.ofByteArray keeps every chunk, then copies them into one array of 66 MiB).
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            getBytes(http, metricsUrl);
            double pipelineCpu = Procs.cpuSeconds(p.process().pid());
            double benchCpu = Procs.cpuSeconds(ProcessHandle.current().pid());
            byteArrayTimes = new double[5];
            for (int i = 0; i < byteArrayTimes.length; i++) {
                long t = System.nanoTime();
                getBytes(http, metricsUrl);
                byteArrayTimes[i] = (System.nanoTime() - t) / 1e6;
            }
            log("scrape, HttpClient into a byte[] (the earlier rounds' figure): every GET (ms) %s, median %.0f ms; "
                            + "CPU per GET: pipeline %.0f ms, the bench's client %.0f ms",
                    ms(byteArrayTimes), sortedMedian(byteArrayTimes),
                    (Procs.cpuSeconds(p.process().pid()) - pipelineCpu) * 1000 / byteArrayTimes.length,
                    (Procs.cpuSeconds(ProcessHandle.current().pid()) - benchCpu) * 1000 / byteArrayTimes.length);
            double scrapeMs = sortedMedian(times);
            String body = new String(bytes, StandardCharsets.UTF_8);
            Scrape scrape = Scrape.of(body);
            log("scrape: %d bytes, %d lines, %d source/objet pairs (%d __other__), ingestion_metric_pairs %.0f, "
                            + "ingestion_pairs_folded_total %.0f, runs counted %.0f; median %.0f ms (%s)",
                    body.length(), scrape.lines, scrape.pairs, scrape.otherPairs, scrape.metricPairs, scrape.folded,
                    scrape.runs, scrapeMs, ms(times));
            log("scrape, the pipeline's side (its debug log: bytes, written by the handler, last byte sent):%n%s",
                    serverScrapeLines(p));
            table.put("scrape GET /metrics (median of 5), at the default METRICS_MAX_PAIRS", String.format(
                    Locale.ROOT, "%.0f ms for %d source/objet pairs (%.0f of their own, %d __other__), %d lines, "
                            + "%.1f MiB; every GET %s ms; into a byte[] by Java's HttpClient (earlier rounds' client) "
                            + "median %.0f ms, every GET %s ms", scrapeMs, scrape.pairs, scrape.metricPairs,
                    scrape.otherPairs, scrape.lines, body.length() / 1048576.0, ms(times),
                    sortedMedian(byteArrayTimes), ms(byteArrayTimes)));
            table.put("check: runs counted / Loki entries / committed", String.format(Locale.ROOT,
                    "%.0f / %d / %d of %d", scrape.runs, loki.entries(), committed, records));

            Procs.stop(p.jstat());
            Procs.stop(p.process());
            Procs.Heap heap = Procs.heap(p.jstatOut(), p.gcLog());
            log("pipeline heap: sampled peak %.0f MiB, before-GC peak %.0f MiB, %d GCs; live after the drain %.0f MiB",
                    heap.sampledPeakMib(), heap.beforeGcPeakMib(), heap.collections(), liveMib);
            table.put("pipeline heap peak during the drain (JAVA_OPTS as shipped: " + String.join(" ", shippedJavaOpts) + ")", String.format(Locale.ROOT,
                    "%.0f MiB (jstat every 100 ms: %.0f; before GC: %.0f); %d GCs", heap.peakMib(),
                    heap.sampledPeakMib(), heap.beforeGcPeakMib(), heap.collections()));
            table.put("pipeline live heap after the drain (full GC)", String.format(Locale.ROOT,
                    "%.0f MiB (class histogram: target/bench/pipeline-drain-histogram.txt)", liveMib));
            if (jfr) {
                Path recording = OUT.resolve("pipeline-drain.jfr");
                Path summary = OUT.resolve("pipeline-drain-profile.txt");
                Files.writeString(summary, JfrTop.summarise(recording, 40));
                log("JFR: %s, summary in %s", recording, summary);
            }
            return new Drain(rate, heap, scrapeMs);
        }
    }

    /**
     * The same drain, a fresh group, with none of the shipped heap options: what a bare {@code java -jar} does on
     * this machine (G1 sizes the heap to the host: up to a quarter of its memory).
     */
    private void drainDefaultHeap(String topic) throws Exception {
        try (LeanLoki loki = new LeanLoki()) {
            String name = "pipeline-drain-default-heap";
            String group = "bench-pipeline-default-heap";
            Pipeline p = startPipeline(name, topic, group, loki, false, List.of());
            long doneNanos = awaitCommitted(topic, group, p, loki).doneNanos();
            double rate = (records - loki.firstPushEntries()) / ((doneNanos - loki.firstPushNanos()) / 1e9);
            Procs.stop(p.jstat());
            Procs.stop(p.process());
            Procs.Heap heap = Procs.heap(p.jstatOut(), p.gcLog());
            double pauseMs = Procs.gcPauseMillis(p.gcLog());
            log("%s: %.0f runs/s, heap peak %.0f MiB, %d GCs, %.0f ms of GC pauses", name, rate, heap.peakMib(),
                    heap.collections(), pauseMs);
            table.put("pipeline drain, bare java -jar (default heap settings)", String.format(Locale.ROOT,
                    "%.0f runs/s; heap peak %.0f MiB; %d GCs, %.1f s of GC pauses; %d Loki entries", rate,
                    heap.peakMib(), heap.collections(), pauseMs / 1000, loki.entries()));
        }
    }

    /** The {@code ENV JAVA_OPTS="..."} of the Dockerfile: one place says how the product's JVM runs. */
    private static List<String> shippedJavaOpts() {
        try {
            Matcher m = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"").matcher(Files.readString(Path.of("Dockerfile")));
            if (!m.find()) {
                throw new IllegalStateException("no ENV JAVA_OPTS=\"...\" line in the Dockerfile");
            }
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One exposition: lines, source/objet pairs (own and __other__), runs counted, the pair budget's meters. */
    private record Scrape(int lines, int pairs, int otherPairs, double runs, double metricPairs, double folded) {
        static Scrape of(String body) {
            Set<String> pairs = new HashSet<>();
            Pattern pair = Pattern.compile("^ingestion_failures_total\\{(.*)\\}");
            int otherPairs = 0;
            double runs = 0;
            double metricPairs = Double.NaN;
            double folded = Double.NaN;
            int lines = 0;
            for (String line : body.split("\n")) {
                lines++;
                Matcher m = pair.matcher(line);
                if (m.find() && pairs.add(m.group(1)) && m.group(1).contains("objet=\"__other__\"")) {
                    otherPairs++;
                }
                if (line.startsWith("ingestion_runs_total{")) {
                    runs += value(line);
                } else if (line.startsWith("ingestion_metric_pairs ")) {
                    metricPairs = value(line);
                } else if (line.startsWith("ingestion_pairs_folded_total ")) {
                    folded = value(line);
                }
            }
            return new Scrape(lines, pairs.size(), otherPairs, runs, metricPairs, folded);
        }

        private static double value(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    // -------------------------------------------------------------------------------------------- latency

    private record Latency(double p50Ms, double p99Ms, double maxMs) {
    }

    private Latency latency(String topic) throws Exception {
        int warmup = latencyRate * latencyWarmupSeconds;
        int measured = latencyRate * latencySeconds;
        int total = warmup + measured;
        long[] sent = new long[total];
        AtomicLongArray latencies = new AtomicLongArray(total);
        AtomicLong received = new AtomicLong();
        try (LeanLoki loki = new LeanLoki()) {
            loki.onIds(id -> {
                if (id >= 0 && id < total && sent[(int) id] != 0
                        && latencies.compareAndSet((int) id, 0, System.nanoTime() - sent[(int) id] + 1)) {
                    received.incrementAndGet();
                }
            });
            Pipeline p = startPipeline("pipeline-latency", topic, "bench-latency", loki, false,
                    shippedJavaOpts);
            Thread.sleep(2_000);
            // the events are made before the clock starts: the producer's own cost is not the pipeline's latency
            byte[][] events = new byte[total][];
            String[] keys = new String[total];
            for (int i = 0; i < total; i++) {
                RunRecord run = Synth.run(i, (long) i);
                events[i] = Synth.event(run);
                keys[i] = Synth.key(run);
            }
            double machineBefore = Procs.machineBusySeconds();
            double pipelineBefore = Procs.cpuSeconds(p.process().pid());
            double brokerBefore = Procs.cpuSeconds(broker.pid());
            double benchBefore = Procs.cpuSeconds(ProcessHandle.current().pid());
            try (KafkaProducer<String, byte[]> producer = producer(5)) {
                long start = System.nanoTime();
                double interval = 1e9 / latencyRate;
                for (int i = 0; i < total; i++) {
                    long due = start + (long) (i * interval);
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        if (due - now > 200_000) {
                            Thread.sleep(0, 100_000);
                        }
                    }
                    sent[i] = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, keys[i], events[i]));
                }
                producer.flush();
                log("latency: produced %d events in %.2f s", total, (System.nanoTime() - start) / 1e9);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double pipelineUsed = Procs.cpuSeconds(p.process().pid()) - pipelineBefore;
            double others = Math.max(0, Procs.machineBusySeconds() - machineBefore - pipelineUsed
                    - (Procs.cpuSeconds(broker.pid()) - brokerBefore)
                    - (Procs.cpuSeconds(ProcessHandle.current().pid()) - benchBefore));
            Procs.stop(p.jstat());
            Procs.stop(p.process());
            // p99 of the runs sent in each second: where the tail comes from (the warm-up seconds first, in [])
            StringBuilder timeline = new StringBuilder();
            for (int second = 0; second < latencyWarmupSeconds + latencySeconds; second++) {
                if (latencyWarmupSeconds > 0 && (second == 0 || second == latencyWarmupSeconds)) {
                    timeline.append(second == 0 ? " [" : " ]");
                }
                long[] slice = new long[latencyRate];
                int m = 0;
                for (int i = second * latencyRate; i < Math.min(total, (second + 1) * latencyRate); i++) {
                    long v = latencies.get(i);
                    if (v != 0) {
                        slice[m++] = v - 1;
                    }
                }
                Arrays.sort(slice, 0, m);
                timeline.append(String.format(Locale.ROOT, " %.0f", pct(slice, m, 0.99)));
            }
            log("latency: p99 of the runs sent in each second (ms):%s; pipeline CPU %.1f s, other processes %.1f s",
                    timeline, pipelineUsed, others);
            long[] values = new long[total];
            long[] steady = new long[total];
            long[] cold = new long[total];
            int k = 0;
            int w = 0;
            int c = 0;
            // after the first 5 s measured: every source/objet has its meters
            int warm = Math.min(total, warmup + latencyRate * 5);
            for (int i = 0; i < total; i++) {
                long v = latencies.get(i);
                if (v == 0) {
                    continue;
                }
                if (i < warmup) {
                    cold[c++] = v - 1;
                    continue;
                }
                values[k++] = v - 1;
                if (i >= warm) {
                    steady[w++] = v - 1;
                }
            }
            Arrays.sort(values, 0, k);
            Arrays.sort(steady, 0, w);
            Arrays.sort(cold, 0, c);
            Latency l = new Latency(pct(values, k, 0.50), pct(values, k, 0.99), k == 0 ? 0 : values[k - 1] / 1e6);
            String coldStart = latencyWarmupSeconds == 0 ? "" : String.format(Locale.ROOT, "; the %d s of warm-up "
                    + "before (a fresh JVM's cold start, not in the figure): %d of %d acknowledged, p50 %.0f ms, p99 %.0f "
                    + "ms, max %.0f ms", latencyWarmupSeconds, c, warmup, pct(cold, c, 0.5), pct(cold, c, 0.99),
                    c == 0 ? 0 : cold[c - 1] / 1e6);
            log("latency: %d of %d acknowledged; p50 %.0f ms, p99 %.0f ms, max %.0f ms; after the first 5 s: p50 %.0f "
                    + "ms, p99 %.0f ms%s", k, measured, l.p50Ms, l.p99Ms, l.maxMs, pct(steady, w, 0.5),
                    pct(steady, w, 0.99), coldStart);
            table.put(String.format(Locale.ROOT, "latency produce → Loki ack at %d runs/s for %d s, after %d s of "
                            + "the same traffic", latencyRate, latencySeconds, latencyWarmupSeconds),
                    String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d of %d acknowledged); after "
                            + "the first 5 s: p50 %.0f ms, p99 %.0f ms%s; other processes on the machine meanwhile: "
                            + "%.1f s", l.p50Ms, l.p99Ms, l.maxMs, k, measured, pct(steady, w, 0.5),
                            pct(steady, w, 0.99), coldStart, others));
            return l;
        }
    }

    private static double pct(long[] sorted, int n, double q) {
        if (n == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1e6;
    }

    // ------------------------------------------------------------------------------------------- producer

    // -------------------------------------------------------------------------------------------- helpers

    /** When the drain ended, and the CPU the pipeline and the broker used from the first Loki push to then. */
    private record Drained(long doneNanos, double pipelineCpuSeconds, double brokerCpuSeconds, String threads,
                           double othersCpuSeconds) {
        String cpu(long records) {
            return String.format(Locale.ROOT, "CPU per 1M runs: pipeline %.1f s, broker %.1f s; other processes "
                            + "on the machine meanwhile: %.1f s", pipelineCpuSeconds * 1e6 / records,
                    brokerCpuSeconds * 1e6 / records, othersCpuSeconds);
        }
    }

    /** Waits until the group's committed offsets reach the topic's end offsets. */
    private Drained awaitCommitted(String topic, String group, Pipeline p, LeanLoki loki) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(180, records / 5_000));
        long committed = 0;
        double pipelineCpu = -1;
        double brokerCpu = -1;
        double machine = 0;
        double bench = 0;
        Map<String, Double> threads = Map.of();
        WallClockSampler sampler = null;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long end = endOffsets(admin, topic);
            while (System.nanoTime() < deadline && p.process().isAlive()) {
                if (pipelineCpu < 0 && loki.firstPushNanos() != 0) {
                    pipelineCpu = Procs.cpuSeconds(p.process().pid());
                    brokerCpu = Procs.cpuSeconds(broker.pid());
                    machine = Procs.machineBusySeconds();
                    bench = Procs.cpuSeconds(ProcessHandle.current().pid());
                    threads = Procs.threadCpuSeconds(p.process().pid());
                    if (jstack && sampler == null) {
                        sampler = new WallClockSampler(p.process().pid(), "KafkaConsumer[" + topic + "]");
                        sampler.start();
                    }
                }
                committed = committed(admin, group);
                if (committed >= end) {
                    long done = System.nanoTime();
                    if (sampler != null) {
                        sampler.interrupt();
                        sampler.join();
                        Files.writeString(OUT.resolve(p.process().pid() + "-consumer-wallclock.txt"),
                                sampler.summary());
                        log("consumer thread, wall clock (%d jstack samples):%n%s", sampler.samples(),
                                sampler.summary());
                    }
                    double pipelineUsed = Procs.cpuSeconds(p.process().pid()) - pipelineCpu;
                    double brokerUsed = Procs.cpuSeconds(broker.pid()) - brokerCpu;
                    double others = Procs.machineBusySeconds() - machine - pipelineUsed - brokerUsed
                            - (Procs.cpuSeconds(ProcessHandle.current().pid()) - bench);
                    return new Drained(done, pipelineUsed, brokerUsed,
                            Procs.threadCpuDiff(threads, Procs.threadCpuSeconds(p.process().pid()),
                                    Procs.javaThreadNames(p.process().pid())),
                            Math.max(0, others));
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("the pipeline did not drain " + records + " records in time: " + committed
                + " committed; see target/bench/");
    }

    /** Live heap: {@code jcmd GC.class_histogram} collects fully, then counts what is left. */
    static double liveHeap(Process process, Path out) throws Exception {
        Path jcmd = Procs.tool("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.class_histogram")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.waitFor(120, TimeUnit.SECONDS);
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith("Total")) {
                String[] cols = line.trim().split("\\s+");
                return Long.parseLong(cols[2]) / 1048576.0;
            }
        }
        return Double.NaN;
    }

    private void awaitHealthy(int port, Process process, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the pipeline JVM ended while starting; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the pipeline did not become healthy; see " + log);
    }

    /** Times in whole ms, in the order measured. */
    private static String ms(double[] times) {
        return Arrays.stream(times).mapToObj(t -> String.format(Locale.ROOT, "%.0f", t))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    /** The median, the array left as it is. */
    private static double sortedMedian(double[] times) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The pipeline's own account of each scrape (MetricsEndpoint at DEBUG, see startPipeline). */
    private static String serverScrapeLines(Pipeline p) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String line : Files.readAllLines(OUT.resolve("pipeline-drain.log"))) {
            int at = line.indexOf("GET /metrics: ");
            if (at >= 0) {
                lines.append("  ").append(line.substring(at)).append('\n');
            }
        }
        return lines.toString();
    }

    private static byte[] getBytes(HttpClient http, String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    static long endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(i -> i.offset()).sum();
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long longEnv(String name, long defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : Long.parseLong(value.trim().replace("_", ""));
    }

    private static List<Integer> parseSizes(String value) {
        if (value.isBlank() || value.equals("0")) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %tT] " + format + "%n",
                prepend(java.time.LocalTime.now(), args));
        System.out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
