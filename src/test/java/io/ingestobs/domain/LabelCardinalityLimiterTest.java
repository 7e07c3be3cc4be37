package io.ingestobs.domain;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelCardinalityLimiterTest {

    @Test
    void theValueAfterTheLimitFoldsIntoOther() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(3);
        assertEquals("workspaces", limiter.value("objet", "workspaces"));
        assertEquals("reports", limiter.value("objet", "reports"));
        assertEquals("datasets", limiter.value("objet", "datasets"));
        assertEquals(0, limiter.foldedCount("objet"));

        assertEquals("__other__", limiter.value("objet", "dashboards"));
        assertEquals(LabelCardinalityLimiter.OTHER, limiter.value("objet", "apps"));
        assertEquals(2, limiter.foldedCount("objet"));
    }

    @Test
    void valuesSeenFirstKeepTheirOwnName() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(3);
        limiter.value("objet", "a");
        limiter.value("objet", "b");
        limiter.value("objet", "c");
        limiter.value("objet", "d");
        limiter.value("objet", "e");
        assertEquals("a", limiter.value("objet", "a"));
        assertEquals("b", limiter.value("objet", "b"));
        assertEquals("c", limiter.value("objet", "c"));
        assertEquals("__other__", limiter.value("objet", "d"), "a folded value stays folded");
        assertEquals(0, limiter.foldedCount("source"));
    }

    @Test
    void aRepeatedValueTakesNoNewRoom() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(2);
        for (int i = 0; i < 10; i++) {
            assertEquals("PowerBI", limiter.value("source", "PowerBI"));
        }
        assertEquals("Efficy", limiter.value("source", "Efficy"));
        assertEquals("__other__", limiter.value("source", "zohobooks"));
        assertEquals(1, limiter.foldedCount("source"));
    }

    @Test
    void limitsArePerLabel() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(2);
        limiter.value("objet", "a");
        limiter.value("objet", "b");
        assertEquals("__other__", limiter.value("objet", "c"));
        assertEquals("a", limiter.value("source", "a"));
        assertEquals("b", limiter.value("source", "b"));
        assertEquals("c", limiter.value("zone", "c"));
        assertEquals(1, limiter.foldedCount("objet"));
        assertEquals(0, limiter.foldedCount("source"));
        assertEquals(0, limiter.foldedCount("zone"));
    }

    @Test
    void runLabelsAreLimitedLabelByLabel() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(1);
        RunLabels first = new RunLabels("PowerBI", "SUCCESS", "workspaces", "akonovia", "1-Raw");
        assertEquals(first, limiter.limit(first));
        RunLabels second = new RunLabels("PowerBI", "FAILED", "reports", "akonovia", "2-Silver");
        assertEquals(new RunLabels("PowerBI", "__other__", "__other__", "akonovia", "__other__"),
                limiter.limit(second));
        assertEquals(1, limiter.foldedCount("etat"));
        assertEquals(1, limiter.foldedCount("objet"));
        assertEquals(1, limiter.foldedCount("zone"));
        assertEquals(0, limiter.foldedCount("source"));
        assertEquals(0, limiter.foldedCount("entreprise"));
    }

    @Test
    void longValuesAreCutTo256Characters() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(10);
        String exact = "x".repeat(256);
        assertEquals(exact, limiter.value("objet", exact));
        String longer = "y".repeat(256) + "-tail-that-is-dropped";
        String cut = limiter.value("objet", longer);
        assertEquals(256, cut.length());
        assertEquals("y".repeat(256), cut);
        // a value that differs only after the cut is the same label value, taking no new room
        assertEquals(cut, limiter.value("objet", "y".repeat(256) + "-another-tail"));
        assertEquals("z", limiter.value("objet", "z"));
        assertEquals(0, limiter.foldedCount("objet"));
    }

    @Test
    void aLimitBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LabelCardinalityLimiter(0));
        assertTrue(e.getMessage().contains("LABEL_CARDINALITY_LIMIT"), e.getMessage());
    }

    @Test
    void concurrentCallersNeverAdmitMoreThanTheLimit() throws InterruptedException {
        int limit = 50;
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(limit);
        Set<String> admitted = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 8; t++) {
            int thread = t;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    String value = limiter.value("objet", "v" + ((i * 7 + thread * 13) % 200));
                    if (!LabelCardinalityLimiter.OTHER.equals(value)) {
                        admitted.add(value);
                    }
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(limit, admitted.size());
    }

    @Test
    void everyRunOfAValueIsLabelledWithTheSameInstance() {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(10);
        RunLabels first = limiter.limit(new RunLabels(new String("PowerBI"), new String("SUCCESS"),
                new String("workspaces"), new String("akonovia"), new String("1-Raw")));
        RunLabels again = limiter.limit(new RunLabels(new String("PowerBI"), new String("SUCCESS"),
                new String("workspaces"), new String("akonovia"), new String("1-Raw")));
        // the meters' maps then compare label values by identity (docs/benchmark.md, issue 14)
        assertSame(first.source(), again.source());
        assertSame(first.etat(), again.etat());
        assertSame(first.objet(), again.objet());
        assertSame(first.entreprise(), again.entreprise());
        assertSame(first.zone(), again.zone());
        assertSame(first.objet(), limiter.value("objet", new String("workspaces")));
    }
}
