package io.ingestobs.input;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadAheadTest {

    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    @Test
    void itemsComeOutInTheSourcesOrderAndAtMostDepthWaitAhead() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        Iterator<Integer> source = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < 10_000;
            }

            @Override
            public Integer next() {
                taken.incrementAndGet();
                return next++;
            }
        };
        try (ReadAhead<Integer> ahead = new ReadAhead<>(source, () -> { }, 2, thread)) {
            Thread.sleep(200);
            assertTrue(taken.get() <= 2 + 1 + 1, "read ahead by at most the depth: " + taken.get());
            List<Integer> out = new ArrayList<>();
            ahead.forEachRemaining(out::add);
            assertEquals(IntStream.range(0, 10_000).boxed().toList(), out);
            assertFalse(ahead.hasNext());
        }
    }

    @Test
    void whatTheSourceThrowsComesOutWhereItHappened() {
        Iterator<Integer> source = List.of(1, 2, 3).iterator();
        Iterator<Integer> failing = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (source.hasNext()) {
                    return source.next();
                }
                throw new UncheckedIOException(new java.io.IOException("disk gone"));
            }
        };
        try (ReadAhead<Integer> ahead = new ReadAhead<>(failing, () -> { }, 2, thread)) {
            assertEquals(1, ahead.next());
            assertEquals(2, ahead.next());
            assertEquals(3, ahead.next());
            UncheckedIOException e = assertThrows(UncheckedIOException.class, ahead::hasNext);
            assertEquals("disk gone", e.getCause().getMessage());
        }
    }

    @Test
    void closingStopsTheReadingAndClosesTheSource() throws Exception {
        AtomicBoolean sourceClosed = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Iterator<Integer> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return 1;
            }
        };
        ReadAhead<Integer> ahead = new ReadAhead<>(endless, () -> sourceClosed.set(true), 2, command -> {
            thread.execute(() -> {
                command.run();
                stopped.countDown();
            });
        });
        assertEquals(1, ahead.next());
        ahead.close();
        assertTrue(sourceClosed.get(), "the source is closed");
        assertTrue(stopped.await(5, TimeUnit.SECONDS), "the reading thread ends");
        thread.shutdown();
    }
}
