package io.ingestobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A wall-clock profile of the consumer threads of another JVM: {@code jstack} every 100 ms, each sample put in the first
 * bucket its stack matches (waiting for a fetch, committing, pushing to Loki, parsing...). JFR samples only
 * threads that run; this shows where the consumer thread waits too.
 */
final class WallClockSampler extends Thread {

    /** Bucket name, then the frame text that puts a stack in it (checked from the top of the stack down). */
    private static final String[][] BUCKETS = {
            {"Kafka commitSync (waiting for the coordinator)", "commitOffsetsSync"},
            {"Kafka poll, waiting for a fetch", "pollForFetches", "EPoll"},
            {"Kafka poll, decoding records", "pollForFetches"},
            {"Loki push: HTTP round trip", "component.http.HttpProducer"},
            {"Loki push: body encoding", "LokiPushBody"},
            {"Loki push: other", "LokiStage"},
            {"event parsing (EventJson)", "EventJson"},
            {"BatchReader: headers, labels, redelivery filter", "BatchReader"},
            {"run metrics (Micrometer)", "RunMetrics"},
            {"Camel: record to exchange", "toExchange"},
            {"Camel: batch processing, other", "KafkaRecordBatchingProcessor"},
    };

    private final long pid;
    private final String threadName;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private int samples;

    WallClockSampler(long pid, String threadName) {
        super("wall-clock-sampler");
        setDaemon(true);
        this.pid = pid;
        this.threadName = threadName;
    }

    @Override
    public void run() {
        Path jstack = Procs.tool("jstack");
        while (!isInterrupted()) {
            try {
                Process p = new ProcessBuilder(jstack.toString(), Long.toString(pid)).redirectErrorStream(true)
                        .start();
                String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                record(dump);
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Every thread whose name holds {@code threadName} (one per Kafka consumer of the route) is a sample. */
    private synchronized void record(String dump) {
        int at = dump.indexOf(threadName + "\"");
        while (at >= 0) {
            int end = dump.indexOf("\n\n", at);
            recordThread(dump.substring(at, end < 0 ? dump.length() : end));
            at = end < 0 ? -1 : dump.indexOf(threadName + "\"", end);
        }
    }

    private void recordThread(String stack) {
        List<String> frames = new ArrayList<>();
        for (String line : stack.split("\n")) {
            line = line.trim();
            if (line.startsWith("at ")) {
                frames.add(line.substring(3));
            }
        }
        if (frames.isEmpty()) {
            return;
        }
        samples++;
        String bucket = null;
        for (String[] rule : BUCKETS) {
            boolean all = true;
            for (int k = 1; k < rule.length && all; k++) {
                String needle = rule[k];
                all = k == 2 ? frames.get(0).contains(needle) : frames.stream().anyMatch(f -> f.contains(needle));
            }
            if (all) {
                bucket = rule[0];
                break;
            }
        }
        if (bucket == null) {
            bucket = "other: " + frames.get(0).replaceAll("\\(.*", "");
        }
        if (stack.contains("java.lang.Thread.State: BLOCKED")) {
            bucket += " [BLOCKED on a lock]";
        }
        counts.merge(bucket, 1, Integer::sum);
    }

    synchronized int samples() {
        return samples;
    }

    synchronized String summary() {
        StringBuilder out = new StringBuilder();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(16)
                .forEach(e -> out.append(String.format(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * e.getValue()
                        / Math.max(1, samples), e.getKey())));
        return out.toString();
    }
}
