package io.ingestobs.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The raw kafka-clients producer of the producer bench as a process of its own (docs/benchmark.md, "Producer, round
 * 5"): started fresh with the JVM options the pipeline's producer gets, so that the reference and the pipeline pay the
 * same JIT warm-up, heap and collector. It sends the events of a file written beforehand (key and value,
 * length-prefixed) and prints one line {@code RAW_PRODUCER sent=N seconds=S cpu_seconds=C}, timed from the topic's
 * metadata known to the last acknowledgement.
 * <p>
 * Arguments: bootstrap servers, topic, events file, record count, then the producer settings as {@code key=value}.
 */
public final class RawProducer {

    private RawProducer() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        Path events = Path.of(args[2]);
        long count = Long.parseLong(args[3]);
        Map<String, Object> config = new HashMap<>();
        for (int i = 4; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            config.put(kv[0], kv[1]);
        }
        config.put("bootstrap.servers", bootstrap);
        long pid = ProcessHandle.current().pid();
        double[] cpuStart = new double[1];
        Sent sent;
        try {
            sent = send(config, topic, events, count, () -> cpuStart[0] = Procs.cpuSeconds(pid));
        } catch (IllegalStateException e) {
            System.out.println("RAW_PRODUCER failed: " + e.getMessage() + ": " + e.getCause());
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "RAW_PRODUCER sent=%d seconds=%.3f cpu_seconds=%.2f%n", sent.records(),
                sent.seconds(), Procs.cpuSeconds(pid) - cpuStart[0]);
        // the whole process's CPU by thread (JVM start included): the JIT's share beside the pipeline's
        System.out.print(Procs.threadCpuDiff(Map.of(), Procs.threadCpuSeconds(pid)));
    }

    /** What one loop sent: every record acknowledged, in {@code seconds}. */
    record Sent(long records, double seconds) {
    }

    /**
     * The raw loop itself, for this process and for the loop inside the bench's JVM: the {@code count} events of the
     * file sent and flushed, timed from the topic's metadata known ({@code atStart} runs then) to the last
     * acknowledgement.
     */
    static Sent send(Map<String, Object> config, String topic, Path events, long count, Runnable atStart)
            throws IOException {
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        long start;
        long end;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer());
             DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(events),
                     1 << 20))) {
            // connected and the topic's metadata known before the clock starts, as the pipeline's is by its survey
            producer.partitionsFor(topic);
            atStart.run();
            start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                byte[] key = new byte[in.readUnsignedShort()];
                in.readFully(key);
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                producer.send(new ProducerRecord<>(topic, new String(key, StandardCharsets.UTF_8), value),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                acknowledged.incrementAndGet();
                            }
                        });
                sent++;
            }
            producer.flush();
            end = System.nanoTime();
        }
        if (failure.get() != null || acknowledged.get() != sent) {
            throw new IllegalStateException("raw producer: " + acknowledged.get() + " of " + sent
                    + " acknowledged", failure.get());
        }
        return new Sent(sent, (end - start) / 1e9);
    }
}
