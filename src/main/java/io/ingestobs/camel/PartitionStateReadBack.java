package io.ingestobs.camel;

import io.ingestobs.domain.EventFormatException;
import io.ingestobs.domain.EventJson;
import io.ingestobs.metrics.RunMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When partitions come to this consumer, reads back their runs already committed (counted by their previous owner,
 * or by this process before) and hands them to {@link RunMetrics#restore}, which rebuilds the pairs' newest state,
 * the sources' freshness and the recovery streaks without counting anything: the state follows the partition, so
 * the first success here after a failure seen by the previous owner measures the recovery.
 * <p>
 * Bounded: at most the last {@code maxRecords} committed records of each partition, read within {@code timeout}
 * (what could not be read in time is logged and left). A short-lived consumer of its own reads them (assign mode,
 * no group, nothing committed), with the group consumer's connection and security settings.
 */
final class PartitionStateReadBack {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionStateReadBack.class);

    private final RunMetrics metrics;
    private final CommittedRunCounter counter;
    private final int maxRecords;
    private final Duration timeout;
    /**
     * Per partition, the offset below which this process already has the runs' state (read back here before):
     * a partition that comes back (an eager rebalance revokes and assigns every partition) is read from there.
     */
    private final Map<TopicPartition, Long> readUpTo = new ConcurrentHashMap<>();

    PartitionStateReadBack(RunMetrics metrics, CommittedRunCounter counter, int maxRecords, Duration timeout) {
        this.metrics = metrics;
        this.counter = counter;
        this.maxRecords = maxRecords;
        this.timeout = timeout;
    }

    /** The most records of one partition read back on its assignment. */
    int maxRecords() {
        return maxRecords;
    }

    /**
     * Restores the state of the runs below {@code committed} (the next offset each partition will be consumed
     * from). Called on the polling thread before any record of these partitions is processed; never throws: the
     * state is a convenience for the gauges, consumption must go on without it.
     */
    void restore(Properties groupConsumerProperties, Map<TopicPartition, OffsetAndMetadata> committed) {
        if (maxRecords <= 0 || committed.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> known = new HashMap<>();
        committed.forEach((partition, offset) -> {
            // what this process counted or read back of the partition already has its state here
            long knownUpTo = Math.max(readUpTo.getOrDefault(partition, 0L), counter.countedUpTo(partition));
            if (offset != null && offset.offset() > knownUpTo) {
                ends.put(partition, offset.offset());
                known.put(partition, knownUpTo);
            }
        });
        if (ends.isEmpty()) {
            return;
        }
        int restored = 0;
        int unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerProperties(groupConsumerProperties))) {
            reader.assign(ends.keySet());
            Map<TopicPartition, Long> beginnings = reader.beginningOffsets(ends.keySet(), timeout);
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                long start = Math.max(Math.max(beginnings.getOrDefault(end.getKey(), 0L),
                        end.getValue() - maxRecords), known.get(end.getKey()));
                if (start < end.getValue()) {
                    reader.seek(end.getKey(), start);
                    positions.put(end.getKey(), start);
                } else {
                    readUpTo.merge(end.getKey(), end.getValue(), Math::max);
                }
            }
            reader.pause(ends.keySet());
            reader.resume(positions.keySet());
            long deadline = started + timeout.toNanos();
            while (!positions.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long end = ends.get(partition);
                    if (!positions.containsKey(partition) || record.offset() >= end) {
                        continue;
                    }
                    try {
                        metrics.restore(EventJson.read(record.value()));
                        restored++;
                    } catch (EventFormatException e) {
                        unreadable++;   // sent to the DLQ when it was consumed
                    }
                }
                for (TopicPartition partition : positions.keySet().toArray(new TopicPartition[0])) {
                    // a compacted or transactional topic may have no record at end - 1: the position says it
                    if (reader.position(partition, timeout) >= ends.get(partition)) {
                        positions.remove(partition);
                        readUpTo.merge(partition, ends.get(partition), Math::max);
                        reader.pause(List.of(partition));
                    }
                }
            }
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            if (positions.isEmpty()) {
                LOG.info("State of partitions {} read back: {} committed runs in {} ms (at most the last {} per "
                        + "partition){}", ends.keySet(), restored, millis, maxRecords,
                        unreadable > 0 ? ", " + unreadable + " unreadable records skipped" : "");
            } else {
                LOG.warn("State of partitions {} read back only in part within {} ms: {} runs; partitions {} not "
                        + "read to their committed offsets (gauges and recovery streaks of their pairs start "
                        + "from what was read)", ends.keySet(), millis, restored, positions.keySet());
            }
        } catch (RuntimeException e) {
            // a KafkaException (no right to read the topic outside the group, broker away) or anything else:
            // inside poll, an exception would fail the consumer's poll, and the state is not worth that
            LOG.warn("State of partitions {} not read back ({}): their pairs' gauges and recovery streaks start "
                    + "with the runs consumed here", ends.keySet(), e.toString());
        }
    }

    /** The group consumer's settings (bootstrap, security, ...) for a consumer of no group that commits nothing. */
    private static Properties readerProperties(Properties groupConsumerProperties) {
        Properties properties = new Properties();
        properties.putAll(groupConsumerProperties);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        properties.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        properties.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Object clientId = groupConsumerProperties.get(ConsumerConfig.CLIENT_ID_CONFIG);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, (clientId == null ? "ingestion" : clientId) + "-state-read-back");
        return properties;
    }
}
