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

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
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
        for (Exchange record : records) {
            Message message = record.getMessage();
            String topic = message.getHeader(KafkaConstants.TOPIC, String.class);
            Integer partition = message.getHeader(KafkaConstants.PARTITION, Integer.class);
            long offset = message.getHeader(KafkaConstants.OFFSET, Long.class);
            String partitionId = topic + "-" + partition;
            String key = message.getHeader(KafkaConstants.KEY, String.class);
            byte[] bytes = message.getBody(byte[].class);
            boolean first = redeliveries.firstDelivery(partitionId, offset);
            KafkaManualCommit commit = message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                commits.put(partitionId, commit);
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
        return new ConsumedBatch(events, deadLetters, commits);
    }
}
