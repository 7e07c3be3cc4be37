package io.ingestobs.domain;

/** A topic record that is not an event of SPEC §3. */
public final class EventFormatException extends Exception {

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
