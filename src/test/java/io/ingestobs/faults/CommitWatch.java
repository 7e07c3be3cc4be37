package io.ingestobs.faults;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Kafka interceptor (set for the whole camel-kafka component, hence a producer interceptor too, which does
 * nothing) that sees every commit the group coordinator acknowledged, as it is acknowledged, and notes with it the
 * lines Loki held at that moment.
 */
public final class CommitWatch implements ConsumerInterceptor<Object, Object>, ProducerInterceptor<Object, Object> {

    /** One acknowledged commit, and the lines Loki held when it was acknowledged. */
    public record Commit(Map<TopicPartition, Long> offsets, Set<String> inLoki) {
    }

    static final List<Commit> COMMITS = new CopyOnWriteArrayList<>();
    static volatile Supplier<Set<String>> inLoki = Set::of;

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, Long> plain = new java.util.HashMap<>();
        offsets.forEach((p, o) -> plain.put(p, o.offset()));
        COMMITS.add(new Commit(plain, Set.copyOf(inLoki.get())));
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
