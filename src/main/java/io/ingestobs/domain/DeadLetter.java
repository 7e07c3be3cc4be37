package io.ingestobs.domain;

import java.time.Instant;

/**
 * What the dead-letter topic receives for a record or event that could not go through (SPEC §2).
 *
 * @param key the original Kafka key, or null
 */
public record DeadLetter(String stage, RejectReason reason, String error, String file, String position,
                         String original, String key, Instant at) {

    public static final String STAGE_READ = "read";
    public static final String STAGE_CONSUME = "consume";
    public static final String STAGE_LOKI = "loki";
}
