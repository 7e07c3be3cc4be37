package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.InputSurvey;
import io.ingestobs.input.ParsedRecord;
import io.ingestobs.input.ReplayPacer;
import io.ingestobs.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The producer's adapter: opens an input file as a stream of records (header {@value #FILE_HEADER}) and turns
 * each one into either the topic event (body = event JSON, key = source) or a dead letter.
 */
public final class InputReader {

    public static final String FILE_HEADER = "ingestionFile";
    public static final String VALID = "ingestionValid";
    /** The exchange property that keeps the record read while its body is the event on its way to the topic. */
    static final String RECORD = "ingestion.record";

    /** SPEC §6 producer options. */
    public record Options(boolean rebaseTimestamps, boolean simulateRealtime, double simulateSpeed) {
    }

    private final RunRecordValidator validator;
    private final EventRestructurer restructurer;
    private final PipelineMetrics metrics;
    private final ProducerSummary summary;
    private final Options options;
    private final Clock clock;

    public InputReader(RunRecordValidator validator, EventRestructurer restructurer, PipelineMetrics metrics,
                       ProducerSummary summary, Options options, Clock clock) {
        this.validator = validator;
        this.restructurer = restructurer;
        this.metrics = metrics;
        this.summary = summary;
        this.options = options;
        this.clock = clock;
    }

    /** The records of the file named by header {@value #FILE_HEADER}, streamed, after announcing their count. */
    public InputRecordStream open(Exchange exchange) throws IOException {
        String file = exchange.getMessage().getHeader(FILE_HEADER, String.class);
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new NoSuchFileException(path.toAbsolutePath().toString(), null, "no readable input file");
        }
        InputSurvey survey = InputSurvey.of(path, validator);
        InputRecordStream stream = InputRecordStream.open(path, validator);
        exchange.setProperty(FileIngestion.PROPERTY, new FileIngestion(file, survey.records(), Files.size(path),
                options.rebaseTimestamps() ? survey.rebaseMillis(clock.instant()) : 0,
                options.simulateRealtime() ? ReplayPacer.realTime(options.simulateSpeed()) : null, stream,
                KafkaRecordLimit.of(exchange.getContext())));
        return stream;
    }

    /** Body in: a {@link ParsedRecord}; body out: event bytes with header {@value #VALID}, or a dead letter. */
    public void toMessage(Exchange exchange) throws InterruptedException {
        FileIngestion pass = exchange.getProperty(FileIngestion.PROPERTY, FileIngestion.class);
        ParsedRecord record = exchange.getMessage().getBody(ParsedRecord.class);
        metrics.recordRead();
        pass.read();
        exchange.setProperty(RECORD, record);
        exchange.getMessage().setHeader(VALID, record.valid());
        if (record.valid()) {
            if (pass.pacer() != null) {
                pass.pacer().pace(record.run().eventTime());
            }
            RunRecord run = pass.shiftMillis() == 0 ? record.run() : record.run().shiftedBy(pass.shiftMillis());
            exchange.getMessage().setHeader(KafkaConstants.KEY, run.source());
            byte[] event = EventJson.write(restructurer.restructure(run));
            int size = pass.recordLimit().sizeOf(exchange, run.source(), event);
            if (size > pass.recordLimit().maxRequestSize()) {
                // a field other than the (already cut) Description is too long: this record goes to the DLQ,
                // the file goes on
                exchange.getMessage().setHeader(VALID, false);
                exchange.getMessage().setBody(deadLetter(record, RejectReason.TOO_LARGE, "the event is " + size
                        + " bytes as a Kafka record, more than the producer's max.request.size ("
                        + pass.recordLimit().maxRequestSize() + "), even with its Description cut"));
                return;
            }
            exchange.getMessage().setBody(event);
        } else {
            exchange.getMessage().setBody(deadLetter(record, record.rejection().reason(), record.rejection().error()));
        }
    }

    /**
     * The topic refused the event (the broker's or the topic's limit is below the producer's): the record goes to
     * the DLQ as {@code too_large} instead of stopping the file.
     */
    public void refusedAsTooLarge(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ParsedRecord record = exchange.getProperty(RECORD, ParsedRecord.class);
        exchange.getMessage().setHeader(VALID, false);
        exchange.getMessage().setBody(deadLetter(record, RejectReason.TOO_LARGE,
                "the topic refused the event as too large: " + (cause == null ? "" : cause.getMessage())));
    }

    private OutgoingDeadLetter deadLetter(ParsedRecord record, RejectReason reason, String error) {
        return new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_READ, reason, error, record.file(),
                record.position(), record.original(), null, clock.instant()), true);
    }

    public void published(Exchange exchange) {
        metrics.recordPublished();
        exchange.getProperty(FileIngestion.PROPERTY, FileIngestion.class).published();
    }

    /** The file is gone through: its summary line, and its counts into the producer's totals. */
    public void finish(Exchange exchange) {
        FileIngestion pass = exchange.getProperty(FileIngestion.PROPERTY, FileIngestion.class);
        if (pass != null) {
            pass.finish();
            summary.add(pass);
        }
    }
}
