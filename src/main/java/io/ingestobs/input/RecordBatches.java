package io.ingestobs.input;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The records of one input file in groups of at most {@code size}, in file order, read as they are asked for: the
 * producer publishes a group at a time, so memory holds one group, whatever the file's size.
 */
public final class RecordBatches implements Iterator<List<ParsedRecord>>, Closeable {

    private final InputRecordStream records;
    private final int size;

    public RecordBatches(InputRecordStream records, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a batch holds at least one record, got " + size);
        }
        this.records = records;
        this.size = size;
    }

    @Override
    public boolean hasNext() {
        return records.hasNext();
    }

    @Override
    public List<ParsedRecord> next() {
        if (!records.hasNext()) {
            throw new NoSuchElementException();
        }
        List<ParsedRecord> batch = new ArrayList<>(Math.min(size, 1024));
        while (batch.size() < size && records.hasNext()) {
            batch.add(records.next());
        }
        return batch;
    }

    @Override
    public void close() {
        records.close();
    }
}
