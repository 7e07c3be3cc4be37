package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;

import java.time.Duration;

/**
 * camel-kafka's {@code kafkaManualCommitFactory} of the consumer route. Not a subclass of camel-kafka's default
 * factory on purpose: camel-kafka then commits nothing by itself (no commit on revocation behind our back), and
 * {@link PartitionHandover} commits what was delivered before a partition leaves.
 */
public final class RecordCommitFactory implements KafkaManualCommitFactory {

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
                                         CommitManager commitManager) {
        return new RecordCommit(exchange.consumer, record.partition, record.recordOffset,
                Duration.ofMillis(record.commitTimeout));
    }
}
