package io.ingestobs.domain;

/** A record that breaks the input contract, with a message a person can act on. */
public record Rejection(RejectReason reason, String error) {

    /** Thrown by the field checks; carries the rejection to the record's validator. */
    static final class Failure extends RuntimeException {
        final transient Rejection rejection;

        Failure(RejectReason reason, String error) {
            super(error, null, false, false);
            this.rejection = new Rejection(reason, error);
        }
    }
}
