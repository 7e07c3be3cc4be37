package io.ingestobs.camel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ingestobs.domain.DeadLetter;
import io.ingestobs.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Turns a dead letter into the DLQ record of SPEC §2, and counts it once it is written. */
public final class DeadLetterWriter {

    private static final JsonFactory FACTORY = new JsonFactory();

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
        exchange.getMessage().setBody(json(letter));
    }

    public void written(Exchange exchange) {
        OutgoingDeadLetter outgoing = exchange.getProperty("ingestion.deadLetter", OutgoingDeadLetter.class);
        if (outgoing.count()) {
            metrics.deadLetter(outgoing.letter().stage(), outgoing.letter().reason());
        }
        FileIngestion pass = exchange.getProperty(FileIngestion.PROPERTY, FileIngestion.class);
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
