package io.ingestobs.launcher;

import java.util.Locale;

/** What one process does (SPEC §6 {@code ROLE}). */
public enum Role {
    ALL, PRODUCER, CONSUMER;

    public static Role parse(String value) {
        if (value == null || value.isBlank()) {
            return ALL;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ROLE must be all, producer or consumer, got '" + value + "'");
        }
    }

    public boolean produces() {
        return this != CONSUMER;
    }

    public boolean consumes() {
        return this != PRODUCER;
    }
}
