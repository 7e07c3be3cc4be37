package io.ingestobs.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A flat profile from a JFR recording's {@code jdk.ExecutionSample} events: per method, the share of samples
 * where it is on top (self) and anywhere on the stack (total), plus the threads that were sampled.
 * {@code java -cp target/bench-classes io.ingestobs.bench.JfrTop file.jfr [rows]}.
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        System.out.print(summarise(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 40));
    }

    static String summarise(Path recording, int rows) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> allocation = new HashMap<>();
        long allocationBytes = 0;
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            RecordedStackTrace stack = event.getStackTrace();
            if (type.equals("jdk.ObjectAllocationSample") && stack != null) {
                long weight = event.getLong("weight");
                allocationBytes += weight;
                for (RecordedFrame frame : stack.getFrames()) {
                    String m = method(frame);
                    if (m.startsWith("io.ingestobs") || m.startsWith("org.apache.camel")) {
                        allocation.merge(m, (int) Math.min(Integer.MAX_VALUE, weight / 1024), Integer::sum);
                        break;
                    }
                }
                continue;
            }
            if (!type.equals("jdk.ExecutionSample") || stack == null) {
                continue;
            }
            samples++;
            String thread = event.getThread("sampledThread") == null ? "?"
                    : event.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "N"), 1, Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            if (!frames.isEmpty()) {
                self.merge(method(frames.get(0)), 1, Integer::sum);
            }
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String m = method(frame);
                if (seen.add(m)) {
                    total.merge(m, 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d execution samples in %s%n%nthreads:%n", samples, recording));
        append(out, threads, samples, 12);
        out.append(String.format(Locale.ROOT, "%nself (top of stack):%n"));
        append(out, self, samples, rows);
        out.append(String.format(Locale.ROOT, "%ntotal (on the stack):%n"));
        append(out, total, samples, rows * 2);
        out.append(String.format(Locale.ROOT, "%nallocation (sampled, by first project/Camel frame), of %.0f MiB:%n",
                allocationBytes / 1048576.0));
        int allocTotal = allocation.values().stream().mapToInt(Integer::intValue).sum();
        append(out, allocation, allocTotal, rows);
        return out.toString();
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void append(StringBuilder out, Map<String, Integer> counts, int of, int rows) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(rows)
                .forEach(e -> out.append(String.format(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * e.getValue()
                        / Math.max(1, of), e.getKey())));
    }
}
