package io.ingestobs.camel;

import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.InputSurvey;
import io.ingestobs.input.ParsedRecord;
import io.ingestobs.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The producer's adapter: opens an input file as a stream of records and turns each one into either the topic
 * event (body = event JSON, key = source) or a dead letter.
 */
public final class InputReader {

    public static final String VALID = "ingestionValid";

    private final RunRecordValidator validator;
    private final EventRestructurer restructurer;
    private final PipelineMetrics metrics;
    private final ProducerSummary summary;
    private final boolean rebase;
    private final Clock clock;
    private long shiftMillis;

    public InputReader(RunRecordValidator validator, EventRestructurer restructurer, PipelineMetrics metrics,
                       ProducerSummary summary, boolean rebase, Clock clock) {
        this.validator = validator;
        this.restructurer = restructurer;
        this.metrics = metrics;
        this.summary = summary;
        this.rebase = rebase;
        this.clock = clock;
    }

    /** The records of {@code file}, streamed; announces their count first, as the spec's producer does. */
    public InputRecordStream open(String file) throws IOException {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new NoSuchFileException(path.toAbsolutePath().toString(), null,
                    "LOGS_FILE_PATH names no readable file");
        }
        InputSurvey survey = InputSurvey.of(path, validator);
        shiftMillis = rebase ? survey.rebaseMillis(clock.instant()) : 0;
        summary.started(survey.records(), file);
        return InputRecordStream.open(path, validator);
    }

    /** Body in: a {@link ParsedRecord}; body out: event bytes with header {@value #VALID}, or a dead letter. */
    public void toMessage(Exchange exchange) {
        ParsedRecord record = exchange.getMessage().getBody(ParsedRecord.class);
        metrics.recordRead();
        summary.read();
        exchange.getMessage().setHeader(VALID, record.valid());
        if (record.valid()) {
            RunRecord run = shiftMillis == 0 ? record.run() : record.run().shiftedBy(shiftMillis);
            exchange.getMessage().setHeader(KafkaConstants.KEY, run.source());
            exchange.getMessage().setBody(EventJson.write(restructurer.restructure(run)));
        } else {
            exchange.getMessage().setBody(new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_READ,
                    record.rejection().reason(), record.rejection().error(), record.file(), record.position(),
                    record.original(), null, clock.instant()), true));
        }
    }

    public void published() {
        metrics.recordPublished();
        summary.published();
    }
}
