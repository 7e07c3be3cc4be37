package io.ingestobs.camel;

import io.ingestobs.input.ParsedRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One group of records on its way to the topic: an {@link OutgoingEvent} per event (what camel-kafka sends, and where
 * it writes each record's outcome), the record each one came from, and the group's dead letters in file order.
 */
final class OutgoingBatch {

    /** A dead letter and the place of its record in the group, so that the DLQ gets them in file order. */
    private record Letter(int index, OutgoingDeadLetter letter) {
    }

    private final List<OutgoingEvent> events;
    private final List<ParsedRecord> records;
    private final int[] indexes;
    private final List<Letter> letters = new ArrayList<>();

    OutgoingBatch(int capacity) {
        this.events = new ArrayList<>(capacity);
        this.records = new ArrayList<>(capacity);
        this.indexes = new int[capacity];
    }

    void event(int index, ParsedRecord record, OutgoingEvent event) {
        indexes[events.size()] = index;
        events.add(event);
        records.add(record);
    }

    void deadLetter(int index, OutgoingDeadLetter letter) {
        letters.add(new Letter(index, letter));
    }

    /** The event of {@code i}'s record was refused: its letter takes the record's place. */
    void refused(int i, OutgoingDeadLetter letter) {
        letters.add(new Letter(indexes[i], letter));
    }

    List<OutgoingEvent> events() {
        return events;
    }

    /**
     * The events, for camel-kafka to send, in order; it stops at an event the client refused at once for anything
     * but its size (no metadata within max.block.ms, a closed producer): the events after it would each wait as
     * long again, and the file ends there anyway.
     */
    Iterator<OutgoingEvent> sending() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < events.size() && (next == 0 || !failedAtOnce(events.get(next - 1)));
            }

            @Override
            public OutgoingEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return events.get(next++);
            }
        };
    }

    private static boolean failedAtOnce(OutgoingEvent event) {
        Exception error = event.error();
        return error != null && !refusedForItsSize(error);
    }

    static boolean refusedForItsSize(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    ParsedRecord record(int i) {
        return records.get(i);
    }

    List<OutgoingDeadLetter> deadLetters() {
        return letters.stream().sorted(Comparator.comparingInt(Letter::index)).map(Letter::letter).toList();
    }
}
