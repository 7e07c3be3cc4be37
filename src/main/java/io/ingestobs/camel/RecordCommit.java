package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Map;

/**
 * The manual commit camel-kafka attaches to each consumed record (made by {@link RecordCommitFactory}): it says
 * which consumer read which offset of which partition, so that {@link OffsetCommitter} can commit a whole batch in
 * one request and learn when the group coordinator has it. {@link #commit()} alone commits this record
 * synchronously, as camel-kafka's default does.
 */
public final class RecordCommit implements KafkaManualCommit {

    private final Consumer<?, ?> consumer;
    private final TopicPartition partition;
    private final long offset;
    private final Duration timeout;

    public RecordCommit(Consumer<?, ?> consumer, TopicPartition partition, long offset, Duration timeout) {
        this.consumer = consumer;
        this.partition = partition;
        this.offset = offset;
        this.timeout = timeout;
    }

    @Override
    public void commit() {
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset + 1)), timeout);
    }

    Consumer<?, ?> consumer() {
        return consumer;
    }

    TopicPartition partition() {
        return partition;
    }

    long offset() {
        return offset;
    }
}
