package io.ingestobs.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Checks one input record against the contract of SPEC §2 and turns it into a {@link RunRecord}. */
public final class RunRecordValidator {

    private final TimestampParser timestamps;

    public RunRecordValidator(TimestampParser timestamps) {
        this.timestamps = timestamps;
    }

    /** Either the run or why it was refused. */
    public sealed interface Outcome permits Valid, Invalid {
    }

    public record Valid(RunRecord run) implements Outcome {
    }

    public record Invalid(Rejection rejection) implements Outcome {
    }

    public Outcome validate(JsonNode node) {
        if (node == null || !node.isObject()) {
            String kind = node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
            return new Invalid(new Rejection(RejectReason.NOT_AN_OBJECT, "expected a JSON object, found " + kind));
        }
        try {
            return new Valid(toRun(node));
        } catch (Rejection.Failure failure) {
            return new Invalid(failure.rejection);
        }
    }

    private RunRecord toRun(JsonNode node) {
        String source = requiredText(node, "Source");
        String objet = requiredText(node, "Objet");
        String etat = requiredText(node, "Etat").toUpperCase(Locale.ROOT);
        Instant debut = timestamp(node, "Debut");
        Instant fin = timestamp(node, "Fin");
        if (debut == null && fin == null) {
            throw new Rejection.Failure(RejectReason.MISSING_FIELD, "Debut/Fin: a run needs at least one of them");
        }
        Double duree = nonNegative(node, "Duree secondes");
        if (duree == null && debut != null && fin != null) {
            long millis = Duration.between(debut, fin).toMillis();
            if (millis < 0) {
                throw new Rejection.Failure(RejectReason.NEGATIVE_VALUE, "Fin is before Debut");
            }
            duree = millis / 1000.0;
        }
        return new RunRecord(integer(node, "id", false), source, objet, optionalText(node, "Transformation"), etat,
                debut, fin, duree, nonNegative(node, "cpu_time"), integer(node, "memory_used", true),
                optionalText(node, "Description"), optionalText(node, "zone"), optionalText(node, "entreprise"));
    }

    private static JsonNode present(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value == null) {
            throw new Rejection.Failure(RejectReason.MISSING_FIELD, field + ": required");
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        if (value.textValue().isBlank()) {
            throw new Rejection.Failure(RejectReason.MISSING_FIELD, field + ": empty");
        }
        return value.textValue().trim();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        return value.textValue();
    }

    private Instant timestamp(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            return timestamps.parseEpoch(value.decimalValue()).orElseThrow(() -> new Rejection.Failure(
                    RejectReason.BAD_TIMESTAMP, field + ": " + value + " is not epoch seconds or milliseconds"));
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a timestamp string or epoch number", value);
        }
        return timestamps.parse(value.textValue()).orElseThrow(() -> new Rejection.Failure(RejectReason.BAD_TIMESTAMP,
                field + ": '" + value.textValue() + "' is not a timestamp"));
    }

    private static Double nonNegative(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(field, "a number", value);
        }
        double number = value.doubleValue();
        if (number < 0 || Double.isNaN(number)) {
            throw new Rejection.Failure(RejectReason.NEGATIVE_VALUE, field + ": " + value + " is negative");
        }
        return number;
    }

    private static Long integer(JsonNode node, String field, boolean nonNegative) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        boolean integral = value.isIntegralNumber()
                || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue()));
        if (!integral || !value.canConvertToLong()) {
            throw wrongType(field, "an integer", value);
        }
        long number = value.longValue();
        if (nonNegative && number < 0) {
            throw new Rejection.Failure(RejectReason.NEGATIVE_VALUE, field + ": " + number + " is negative");
        }
        return number;
    }

    private static Rejection.Failure wrongType(String field, String expected, JsonNode value) {
        return new Rejection.Failure(RejectReason.WRONG_TYPE,
                field + ": expected " + expected + ", found " + value.getNodeType().name().toLowerCase(Locale.ROOT));
    }
}
