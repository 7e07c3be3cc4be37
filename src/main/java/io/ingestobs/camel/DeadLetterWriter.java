package io.ingestobs.camel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.Utf8Cut;
import io.ingestobs.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Turns a dead letter into the DLQ record of SPEC §2, and counts it once it is written. */
public final class DeadLetterWriter {

    private static final JsonFactory FACTORY = new JsonFactory();
    /** An error message quotes the value it refuses, which may be the long text itself. */
    static final int MAX_ERROR_BYTES = 8192;
    /** Room kept in a record for its other fields, the Kafka envelope and the escaping of the error. */
    private static final int ENVELOPE_BYTES = 65_536;
    /** JSON escapes a control character as six bytes: the most one byte of text can take once written. */
    private static final int MAX_ESCAPE_RATIO = 6;

    private final PipelineMetrics metrics;

    public DeadLetterWriter(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void toRecord(Exchange exchange) {
        OutgoingDeadLetter outgoing = exchange.getMessage().getBody(OutgoingDeadLetter.class);
        DeadLetter letter = outgoing.letter();
        exchange.setProperty("ingestion.deadLetter", outgoing);
        exchange.getMessage().removeHeaders("*");
        if (letter.key() != null) {
            exchange.getMessage().setHeader(KafkaConstants.KEY, letter.key());
        }
        byte[] record = json(letter);
        KafkaRecordLimit limit = KafkaRecordLimit.of(exchange.getContext());
        if (!limit.fits(exchange, letter.key(), record)) {
            // the record that was too large for the topic must not be too large for the DLQ as well: its
            // original is cut (with the marker) so that the letter gets through and says where the record was
            record = json(cutToFit(letter, limit.maxRequestSize()));
        }
        exchange.getMessage().setBody(record);
    }

    static DeadLetter cutToFit(DeadLetter letter, int maxRequestSize) {
        int originalBytes = Math.max(1024, (maxRequestSize - ENVELOPE_BYTES) / MAX_ESCAPE_RATIO);
        return new DeadLetter(letter.stage(), letter.reason(), cut(letter.error(), MAX_ERROR_BYTES), letter.file(),
                letter.position(), cut(letter.original(), originalBytes), letter.key(), letter.at());
    }

    private static String cut(String text, int maxBytes) {
        return text == null ? null : Utf8Cut.of(text, maxBytes).text();
    }

    public void written(Exchange exchange) {
        OutgoingDeadLetter outgoing = exchange.getProperty("ingestion.deadLetter", OutgoingDeadLetter.class);
        if (outgoing.count()) {
            metrics.deadLetter(outgoing.letter().stage(), outgoing.letter().reason());
        }
        FileIngestion pass = FileIngestion.of(exchange);
        if (pass != null && DeadLetter.STAGE_READ.equals(outgoing.letter().stage())) {
            pass.rejected();
        }
    }

    static byte[] json(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (letter.original() == null ? 0
                : letter.original().length()));
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("stage", letter.stage());
            g.writeStringField("reason", letter.reason().code());
            g.writeStringField("error", letter.error());
            g.writeStringField("file", letter.file());
            g.writeStringField("position", letter.position());
            g.writeStringField("original", letter.original());
            g.writeStringField("at", letter.at().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
