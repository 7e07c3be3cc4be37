package io.ingestobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The raw reference: a plain {@code KafkaConsumer} (default settings, {@code byte[]} values) polling the topic and
 * parsing each event with Jackson's {@code readTree}, nothing else. Runs in the bench's JVM (the figure of the
 * earlier rounds) or, through {@link #main}, in a fresh JVM of its own with the pipeline's JVM options, so that it
 * pays what the pipeline pays: a cold JIT, the same heap and collector (docs/benchmark.md, issue 14 fifth round).
 */
public final class RawLoop {

    /** What one loop measured, from the end of its first poll to its last record. */
    record Result(long records, long firstPoll, double seconds, long fields, double ownCpu, double brokerCpu,
                  double othersCpu) {
        double rate() {
            return (records - firstPoll) / seconds;
        }

        String line() {
            return String.format(Locale.ROOT, "RAW %d %d %.6f %d %.3f %.3f %.3f", records, firstPoll, seconds, fields,
                    ownCpu, brokerCpu, othersCpu);
        }

        static Result parse(String line) {
            String[] f = line.trim().split(" ");
            return new Result(Long.parseLong(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3]),
                    Long.parseLong(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]));
        }
    }

    private RawLoop() {
    }

    /** {@code bootstrap topic group records brokerPid}: prints one {@code RAW ...} line. */
    public static void main(String[] args) {
        Result result = run(args[0], args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]));
        System.out.println(result.line());
        // the whole process's CPU by thread (JVM start included): the JIT's share beside the pipeline's
        System.out.print(Procs.threadCpuDiff(Map.of(), Procs.threadCpuSeconds(ProcessHandle.current().pid())));
        System.out.flush();
    }

    static Result run(String bootstrap, String topic, String group, long records, long brokerPid) {
        ObjectMapper mapper = new ObjectMapper();
        long count = 0;
        long firstPoll = 0;
        long t0 = 0;
        long fields = 0;
        double ownCpu = 0;
        double brokerCpu = 0;
        double machine = 0;
        long self = ProcessHandle.current().pid();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", group, "auto.offset.reset", "earliest", "enable.auto.commit", "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (count < records && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    try {
                        fields += mapper.readTree(record.value()).size();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                count += polled.count();
                if (t0 == 0 && count > 0) {
                    t0 = System.nanoTime();
                    firstPoll = count;
                    ownCpu = Procs.cpuSeconds(self);
                    brokerCpu = Procs.cpuSeconds(brokerPid);
                    machine = Procs.machineBusySeconds();
                }
            }
            consumer.commitSync();
        }
        // as the bench always timed it: to the consumer closed, its commit included
        double seconds = (System.nanoTime() - t0) / 1e9;
        double ownUsed = Procs.cpuSeconds(self) - ownCpu;
        double brokerUsed = Procs.cpuSeconds(brokerPid) - brokerCpu;
        double others = Math.max(0, Procs.machineBusySeconds() - machine - ownUsed - brokerUsed);
        return new Result(count, firstPoll, seconds, fields, ownUsed, brokerUsed, others);
    }
}
