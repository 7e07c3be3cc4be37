package io.ingestobs.input;

import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Reads a source a few items ahead on a thread of its own, so that the next group of records is being read and
 * checked while the last one is on its way to Kafka. Items come out in the source's order; what the source throws
 * comes out where it happened. At most {@code depth} items wait, whatever the source's size.
 */
public final class ReadAhead<T> implements Iterator<T>, Closeable {

    private static final Object END = new Object();

    private record Failure(RuntimeException exception) {
    }

    private final BlockingQueue<Object> queue;
    private final Closeable source;
    private volatile boolean closed;
    private Object next;

    public ReadAhead(Iterator<T> items, Closeable source, int depth, Executor thread) {
        this.queue = new ArrayBlockingQueue<>(depth + 1);
        this.source = source;
        thread.execute(() -> {
            try {
                try {
                    while (!closed && items.hasNext()) {
                        hand(items.next());
                    }
                    hand(END);
                } catch (RuntimeException e) {
                    hand(new Failure(e));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void hand(Object item) throws InterruptedException {
        while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
            // the reader of this stream is busy: wait for room, or for close()
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading ahead", e);
            }
        }
        if (next instanceof Failure failure) {
            throw failure.exception();
        }
        return next != END;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T item = (T) next;
        next = null;
        return item;
    }

    /** Stops the reading thread (after the item it is on) and closes the source. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            closeSource();
        }
    }

    private void closeSource() {
        try {
            source.close();
        } catch (IOException ignored) {
            // nothing more is read from it either way
        }
    }
}
