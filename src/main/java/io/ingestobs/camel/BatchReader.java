package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.EventFormatException;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunLabels;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a batch of Kafka exchanges into a {@link ConsumedBatch}; unreadable records become dead letters. */
public final class BatchReader {

    private final RedeliveryFilter redeliveries;
    private final LabelCardinalityLimiter limiter;
    private final Clock clock;

    public BatchReader(RedeliveryFilter redeliveries, LabelCardinalityLimiter limiter, Clock clock) {
        this.redeliveries = redeliveries;
        this.limiter = limiter;
        this.clock = clock;
    }

    public ConsumedBatch read(List<Exchange> records) {
        List<ConsumedEvent> events = new ArrayList<>(records.size());
        List<OutgoingDeadLetter> deadLetters = new ArrayList<>();
        Map<String, KafkaManualCommit> commits = new LinkedHashMap<>();
        Map<String, Long> firstOffsets = new HashMap<>();
        PartitionIds partitionIds = new PartitionIds();
        for (Exchange record : records) {
            Message message = record.getMessage();
            KafkaManualCommit commit = message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            String topic;
            int partition;
            long offset;
            // The consumer route's own commit already says where the record was read: one header lookup instead
            // of three (Camel's headers are a case-insensitive tree map, and this runs for every record).
            if (commit instanceof RecordCommit read) {
                topic = read.partition().topic();
                partition = read.partition().partition();
                offset = read.offset();
            } else {
                topic = message.getHeader(KafkaConstants.TOPIC, String.class);
                partition = message.getHeader(KafkaConstants.PARTITION, Integer.class);
                offset = message.getHeader(KafkaConstants.OFFSET, Long.class);
            }
            String partitionId = partitionIds.of(topic, partition);
            String key = message.getHeader(KafkaConstants.KEY, String.class);
            byte[] bytes = message.getBody(byte[].class);
            boolean first = redeliveries.firstDelivery(partitionId, offset);
            if (commit != null) {
                if (commits.put(partitionId, commit) == null) {
                    firstOffsets.put(partitionId, offset);
                }
            }
            try {
                IngestionEvent event = EventJson.read(bytes);
                events.add(new ConsumedEvent(event, limiter.limit(RunLabels.of(event)), bytes, key, partitionId, offset,
                        first));
            } catch (EventFormatException e) {
                String original = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
                deadLetters.add(new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_CONSUME,
                        RejectReason.UNREADABLE_EVENT, e.getMessage(), topic, "partition " + partition
                        + " offset " + offset, original, key, clock.instant()), first));
            }
        }
        return new ConsumedBatch(events, deadLetters, commits, firstOffsets);
    }

    /**
     * {@code topic-N}, one string per partition of a batch: a batch holds a few partitions, each string is then
     * hashed once and found by identity in the maps keyed by it, instead of one new string per record.
     */
    private static final class PartitionIds {
        private String topic;
        private int partition;
        private String id;
        private final Map<TopicPartition, String> seen = new HashMap<>();

        String of(String topic, int partition) {
            if (id == null || partition != this.partition || !topic.equals(this.topic)) {
                this.topic = topic;
                this.partition = partition;
                this.id = seen.computeIfAbsent(new TopicPartition(topic, partition),
                        p -> p.topic() + "-" + p.partition());
            }
            return id;
        }
    }
}
