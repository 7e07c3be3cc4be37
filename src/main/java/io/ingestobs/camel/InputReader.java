package io.ingestobs.camel;

import io.ingestobs.domain.CanonicalRunTranscoder;
import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunRecord;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.InputSurvey;
import io.ingestobs.input.ParsedRecord;
import io.ingestobs.input.ReadAhead;
import io.ingestobs.input.RecordBatches;
import io.ingestobs.input.ReplayPacer;
import io.ingestobs.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExecutorServiceManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The producer's adapter: opens an input file as a stream of record groups (header {@value #FILE_HEADER}), turns
 * each group into the events camel-kafka sends (one message each, key = source) and the group's dead letters, and
 * once Kafka has answered for every event, counts what it acknowledged and sends what it refused as too large to
 * the DLQ. A record counts as published only once the broker acknowledged it.
 */
public final class InputReader {

    public static final String FILE_HEADER = "ingestionFile";
    /** The exchange property that holds the group on its way to the topic. */
    static final String BATCH = "ingestion.batch";
    /** The exchange property with the group's dead letters, in file order, once Kafka has answered. */
    public static final String DEAD_LETTERS = "ingestionDeadLetters";
    /** The exchange property with what the Kafka endpoint threw for the group, if anything. */
    static final String SEND_FAILURE = "ingestion.sendFailure";

    /** The exchange property with the group's number in its file, for {@link GroupsInFlight}. */
    static final String GROUP = "ingestion.group";
    /** The exchange property with the file's reading, closed when the file is done, gone through or not. */
    static final String READING = "ingestion.reading";
    private static final Logger LOG = LoggerFactory.getLogger("ingestion.producer");
    /** Groups read ahead of the one being published. */
    private static final int READ_AHEAD_GROUPS = 2;

    /** SPEC §6 producer options. */
    public record Options(boolean rebaseTimestamps, boolean simulateRealtime, double simulateSpeed) {
    }

    private final RunRecordValidator validator;
    private final EventRestructurer restructurer;
    private final CanonicalRunTranscoder transcoder;
    private final PipelineMetrics metrics;
    private final ProducerSummary summary;
    private final Options options;
    private final Clock clock;
    private final int batchRecords;
    private final int groupsInFlight;

    /**
     * @param transcoder writes the events of the records in the plain form straight from their bytes (the same
     *                   bytes {@code restructurer} and {@link EventJson} would write); null: every record the
     *                   reference way
     * @param groupsInFlight groups of a file sent and not yet answered for at once (1: each group acknowledged
     *                   before the next is sent)
     */
    public InputReader(RunRecordValidator validator, EventRestructurer restructurer, CanonicalRunTranscoder transcoder,
                       PipelineMetrics metrics, ProducerSummary summary, Options options, Clock clock,
                       int batchRecords, int groupsInFlight) {
        if (batchRecords < 1) {
            throw new IllegalArgumentException("PRODUCER_BATCH_RECORDS must be at least 1, got " + batchRecords);
        }
        if (groupsInFlight < 1) {
            throw new IllegalArgumentException("PRODUCER_GROUPS_IN_FLIGHT must be at least 1, got " + groupsInFlight);
        }
        this.groupsInFlight = groupsInFlight;
        this.validator = validator;
        this.restructurer = restructurer;
        this.transcoder = transcoder;
        this.metrics = metrics;
        this.summary = summary;
        this.options = options;
        this.clock = clock;
        this.batchRecords = batchRecords;
    }

    /**
     * The records of the file named by header {@value #FILE_HEADER}, streamed in groups, each valid one with its
     * event, after announcing their count.
     */
    public ReadAhead<List<PreparedRecord>> open(Exchange exchange) throws IOException {
        String file = exchange.getMessage().getHeader(FILE_HEADER, String.class);
        // from here the file travels in the FileIngestion property: as a header, camel-kafka would send it along with
        // every record of the file (it propagates the headers of a list body's exchange), which is the event and
        // its key only (SPEC §3)
        exchange.getMessage().removeHeader(FILE_HEADER);
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new NoSuchFileException(path.toAbsolutePath().toString(), null, "no readable input file");
        }
        // the count is announced before the first record; rebasing also needs the newest run, hence a full read
        InputSurvey survey = options.rebaseTimestamps() ? InputSurvey.of(path, validator)
                : InputSurvey.count(path, validator);
        // a rebased or paced run needs each record's times, which only the reference reading gives
        boolean fast = !options.rebaseTimestamps() && !options.simulateRealtime();
        InputRecordStream stream = InputRecordStream.open(path, validator, fast ? transcoder : null);
        ReplayPacer pacer = options.simulateRealtime() ? ReplayPacer.realTime(options.simulateSpeed()) : null;
        exchange.setProperty(FileIngestion.PROPERTY, new FileIngestion(file, survey.records(), Files.size(path),
                pacer, stream, KafkaRecordLimit.of(exchange.getContext()), new GroupsInFlight(groupsInFlight)));
        // a replay releases each run when it is due: a group would hold the early ones back for the late ones
        RecordBatches batches = new RecordBatches(stream, pacer != null ? 1 : batchRecords);
        // the next groups are read and checked on a thread of their own while this one is sent and acknowledged
        ExecutorServiceManager threads = exchange.getContext().getExecutorServiceManager();
        ExecutorService reader = threads.newSingleThreadExecutor(this, "InputReadAhead");
        long shift = options.rebaseTimestamps() ? survey.rebaseMillis(clock.instant()) : 0;
        Iterator<List<PreparedRecord>> prepared = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public List<PreparedRecord> next() {
                return batches.next().stream().map(record -> prepare(record, shift)).toList();
            }
        };
        ReadAhead<List<PreparedRecord>> ahead = new ReadAhead<>(prepared, batches, READ_AHEAD_GROUPS, reader);
        threads.shutdown(reader);
        exchange.setProperty(READING, ahead);
        return ahead;
    }

    /** A record as read, and for a valid one its key and its event (restructured, shifted when rebasing). */
    record PreparedRecord(ParsedRecord record, String key, byte[] event) {
    }

    private PreparedRecord prepare(ParsedRecord record, long shiftMillis) {
        if (!record.valid()) {
            return new PreparedRecord(record, null, null);
        }
        if (record.transcoded() != null) {
            return new PreparedRecord(record, record.transcoded().key(), record.transcoded().event());
        }
        RunRecord run = shiftMillis == 0 ? record.run() : record.run().shiftedBy(shiftMillis);
        return new PreparedRecord(record, run.source(), EventJson.write(restructurer.restructure(run)));
    }

    /**
     * Body in: a group of {@link PreparedRecord}s; body out: the group's events, one {@link OutgoingEvent} each (body
     * = event JSON, key = source), for camel-kafka to send; the records that break the contract become dead letters.
     */
    public void toEvents(Exchange exchange) throws InterruptedException {
        FileIngestion pass = FileIngestion.of(exchange);
        @SuppressWarnings("unchecked")
        List<PreparedRecord> records = exchange.getMessage().getBody(List.class);
        metrics.recordsRead(records.size());
        pass.read(records.size());
        OutgoingBatch batch = new OutgoingBatch(records.size());
        KafkaRecordLimit limit = pass.recordLimit();
        // camel-kafka sends every event of a list body with the headers of the exchange that carries it
        int envelope = limit.sizeOf(exchange, null, new byte[0]);
        for (int i = 0; i < records.size(); i++) {
            ParsedRecord record = records.get(i).record();
            if (!record.valid()) {
                batch.deadLetter(i, deadLetter(record, record.rejection().reason(), record.rejection().error()));
                continue;
            }
            if (pass.pacer() != null) {
                pass.pacer().pace(record.run().eventTime());
            }
            String key = records.get(i).key();
            byte[] event = records.get(i).event();
            int size = envelope + event.length + 3 * key.length() + KafkaRecordLimit.RECORD_FRAMING_BYTES;
            if (size > limit.maxRequestSize()) {
                // near the limit: the client's own count, which is lower
                size = limit.sizeOf(exchange, key, event);
            }
            if (size > limit.maxRequestSize()) {
                // a field other than the (already cut) Description is too long: this record goes to the DLQ,
                // the file goes on
                batch.deadLetter(i, deadLetter(record, RejectReason.TOO_LARGE, "the event is " + size
                        + " bytes as a Kafka record, more than the producer's max.request.size ("
                        + limit.maxRequestSize() + "), even with its Description cut"));
                continue;
            }
            batch.event(i, record, new OutgoingEvent(exchange.getContext(), key, event));
        }
        exchange.setProperty(BATCH, batch);
        exchange.getMessage().setBody(batch.sending());
    }

    /**
     * Before a group is handed to the sending thread: waits while the file has as many groups in flight as allowed,
     * and throws if one of them failed (the file ends there).
     */
    public void admit(Exchange exchange) throws InterruptedException {
        exchange.setProperty(GROUP, FileIngestion.of(exchange).groups().admit());
    }

    /** Kafka has answered for the group: it waits for the groups before it to be gone through, in file order. */
    public void awaitTurn(Exchange exchange) throws InterruptedException {
        FileIngestion.of(exchange).groups().awaitTurn(exchange.getProperty(GROUP, Long.class));
    }

    /** The group was not published completely (what failed is on the exchange): no more groups of the file go. */
    public void groupFailed(Exchange exchange) {
        FileIngestion.of(exchange).groups().failed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** The group is gone through, published or failed: its place goes to the next one. */
    public void groupDone(Exchange exchange) throws InterruptedException {
        GroupsInFlight groups = FileIngestion.of(exchange).groups();
        long group = exchange.getProperty(GROUP, Long.class);
        groups.awaitTurn(group);
        groups.done(group);
    }

    /**
     * Every group of the file has been read and sent: waits until Kafka has answered for all of them and they are
     * counted; throws if one was not published completely.
     */
    public void allAnswered(Exchange exchange) throws InterruptedException {
        GroupsInFlight groups = FileIngestion.of(exchange).groups();
        groups.awaitAll();
        Exception failure = groups.failure();
        if (failure != null) {
            throw new IllegalStateException("the file was not published completely: " + failure.getMessage(),
                    failure);
        }
    }

    /** The Kafka endpoint threw for the group: what each record became is on its own exchange, sorted out next. */
    public void sendFailed(Exchange exchange) {
        exchange.setProperty(SEND_FAILURE, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /**
     * Kafka has answered for the group: the events it acknowledged count as published; one the topic refused as too
     * large (the broker's or the topic's limit is below the producer's) becomes a {@code too_large} dead letter and
     * the file goes on; any other failure, or an event with no answer, ends the file with an error, its
     * acknowledged events counted and nothing else.
     */
    public void acknowledged(Exchange exchange) {
        FileIngestion pass = FileIngestion.of(exchange);
        OutgoingBatch batch = exchange.getProperty(BATCH, OutgoingBatch.class);
        exchange.removeProperty(BATCH);
        List<OutgoingEvent> events = batch.events();
        int acknowledged = 0;
        Exception failure = null;
        long unanswered = 0;
        for (int i = 0; i < events.size(); i++) {
            OutgoingEvent event = events.get(i);
            Exception error = event.error();
            if (event.acknowledged()) {
                acknowledged++;
            } else if (OutgoingBatch.refusedForItsSize(error)) {
                batch.refused(i, deadLetter(batch.record(i), RejectReason.TOO_LARGE,
                        "the topic refused the event as too large: " + error.getMessage()));
            } else if (error != null) {
                failure = failure == null ? error : failure;
            } else {
                unanswered++;
            }
        }
        metrics.recordsPublished(acknowledged);
        pass.published(acknowledged);
        exchange.getMessage().setBody(null);
        exchange.setProperty(DEAD_LETTERS, batch.deadLetters());
        if (failure != null || unanswered > 0) {
            Exception cause = failure != null ? failure : exchange.getProperty(SEND_FAILURE, Exception.class);
            throw new IllegalStateException((events.size() - acknowledged) + " of " + events.size()
                    + " events of the group were not acknowledged by Kafka"
                    + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
    }

    private OutgoingDeadLetter deadLetter(ParsedRecord record, RejectReason reason, String error) {
        return new OutgoingDeadLetter(new DeadLetter(DeadLetter.STAGE_READ, reason, error, record.file(),
                record.position(), record.original(), null, clock.instant()), true);
    }

    /** The file is gone through: its summary line, and its counts into the producer's totals. */
    public void finish(Exchange exchange) throws InterruptedException {
        FileIngestion pass = FileIngestion.of(exchange);
        if (pass != null) {
            // the file broke off (a reading error, a failed group): the groups still in flight are answered for
            // and counted before the summary, so that nothing in flight is reported either way. Bounded: a group
            // that never reached the sending thread (its hand-off refused at shutdown) is never answered
            Duration bound = KafkaAnswerWait.of(exchange.getContext()).bound();
            if (!pass.groups().awaitAll(bound.toMillis())) {
                LOG.error("{} groups of the file still unanswered by Kafka after {} s: not counted",
                        pass.groups().inFlight(), bound.toSeconds());
            }
        }
        ReadAhead<?> reading = exchange.getProperty(READING, ReadAhead.class);
        if (reading != null) {
            reading.close();
        }
        if (pass != null) {
            pass.finish();
            summary.add(pass);
        }
    }
}
