package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;

/**
 * A dead letter on its way to the DLQ topic; {@code count} is false when the same Kafka record was already
 * counted by this process (a redelivery), so the DLQ may get it twice but the counter does not.
 */
public record OutgoingDeadLetter(DeadLetter letter, boolean count) {
}
