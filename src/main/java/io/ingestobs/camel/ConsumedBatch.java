package io.ingestobs.camel;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One batch of topic records on its way through the consumer: the readable events, what goes to the DLQ, and for
 * each partition the commit of its last record, to be made once everything before it is delivered.
 */
public final class ConsumedBatch {

    private final List<ConsumedEvent> events;
    private final List<OutgoingDeadLetter> deadLetters;
    private final Map<String, KafkaManualCommit> commits;
    private final Map<String, Long> firstOffsets;

    /**
     * @param firstOffsets per partition with a commit, the offset of the batch's first record of it: where to read
     *                     again if the batch fails
     */
    public ConsumedBatch(List<ConsumedEvent> events, List<OutgoingDeadLetter> deadLetters,
                         Map<String, KafkaManualCommit> commits, Map<String, Long> firstOffsets) {
        if (!firstOffsets.keySet().containsAll(commits.keySet())) {
            throw new IllegalArgumentException("a first offset is needed for each committed partition: commits for "
                    + commits.keySet() + ", first offsets for " + firstOffsets.keySet());
        }
        this.events = events;
        this.deadLetters = new ArrayList<>(deadLetters);
        this.commits = commits;
        this.firstOffsets = firstOffsets;
    }

    public List<ConsumedEvent> getEvents() {
        return events;
    }

    public List<OutgoingDeadLetter> getDeadLetters() {
        return deadLetters;
    }

    public Map<String, KafkaManualCommit> getCommits() {
        return commits;
    }

    public Map<String, Long> getFirstOffsets() {
        return firstOffsets;
    }

    void addDeadLetter(OutgoingDeadLetter letter) {
        deadLetters.add(letter);
    }
}
