package io.ingestobs.domain;

/** Why a record or event went to the dead-letter topic; {@link #code()} is the wire name of SPEC §2. */
public enum RejectReason {
    INVALID_JSON("invalid_json"),
    NOT_AN_OBJECT("not_an_object"),
    MISSING_FIELD("missing_field"),
    BAD_TIMESTAMP("bad_timestamp"),
    NEGATIVE_VALUE("negative_value"),
    WRONG_TYPE("wrong_type"),
    REST_OF_FILE("rest_of_file"),
    UNREADABLE_EVENT("unreadable_event"),
    LOKI_REJECTED("loki_rejected"),
    TOO_LARGE("too_large");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
