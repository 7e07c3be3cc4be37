package io.ingestobs.domain;

import java.nio.charset.StandardCharsets;

/**
 * The event bytes {@link EventJson#write} gives, as the fixed text between its values: what
 * {@link CanonicalRunTranscoder} writes and {@link CanonicalEventReader} expects, so that the one form both shortcut
 * paths rely on is spelled once. Each piece ends where a value starts; a string value's quotes are not part of it.
 */
final class CanonicalEventForm {

    static final String TIMESTAMP = "{\"@timestamp\":";
    static final String VERSION = ",\"@version\":\"1\",\"event\":{\"dataset\":\"ingestion-logs\","
            + "\"kind\":\"event\",\"outcome\":";
    static final String SOURCE = "},\"source\":{\"name\":";
    static final String SOURCE_TYPE = ",\"type\":\"api\"},\"objet\":{\"id\":";
    static final String OBJET_NAME = ",\"name\":";
    static final String TRANSFORMATION = ",\"transformation\":";
    static final String ETAT = "},\"etat\":";
    static final String DEBUT = ",\"debut\":";
    static final String FIN = ",\"fin\":";
    static final String DESCRIPTION = ",\"description\":";
    static final String TRUNCATED = ",\"description_truncated\":true,\"description_bytes\":";
    static final String PERFORMANCE = ",\"performance\":{\"duree_secondes\":";
    static final String CPU = ",\"cpu_time_sec\":";
    static final String MEMORY = ",\"memory_used_bytes\":";
    static final String MEMORY_MB = ",\"memory_used_mb\":";
    static final String LABELS = "},\"labels\":{\"etat\":";
    static final String LABEL_SOURCE = ",\"source\":";
    static final String ZONE = ",\"zone\":";
    static final String ENTREPRISE = ",\"entreprise\":";
    static final String METRICS = "},\"metrics\":{\"is_failed\":";
    static final String IS_SUCCESS = ",\"is_success\":";
    static final String HIGH_MEMORY = ",\"high_memory_usage\":";
    static final String HIGH_CPU = ",\"high_cpu_usage\":";
    static final String END = "}}";
    static final String NULL = "null";
    /** Around a string value: the writer puts it on either side of the pieces that border one. */
    static final String QUOTE = "\"";

    /** 10^0 .. 10^22: every one exact as a double, so that m / 10^k is rounded once, as parsing the text does. */
    static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private CanonicalEventForm() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
