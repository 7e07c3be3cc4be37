package io.ingestobs.camel;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.metrics.RunMetrics;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.SyntheticRuns;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A run counts when, and only when, the commit of its offset is acknowledged; never twice. */
class CommittedRunCounterTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final EventRestructurer RESTRUCTURER = new EventRestructurer(Thresholds.DEFAULT);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CommittedRunCounter counter = new CommittedRunCounter(
            new RunMetrics(registry, new LabelCardinalityLimiter(2000)));
    private final DeliveryLedger ledger = new DeliveryLedger();

    @Test
    void runsCountOnceTheirCommitIsAcknowledgedAndAFailedCommitLeavesThemWaiting() {
        ledger.awaitCommit(P0, 100, runs(0, 100));
        ledger.sent(Set.of(P0));
        assertEquals(0, counted(), "delivered, not yet committed");
        assertEquals(100, ledger.waitingRuns());

        counter.count(ledger.answered(Map.of(P0, new OffsetAndMetadata(100)), false));
        assertEquals(0, counted(), "a refused commit counts nothing");
        assertEquals(Map.of(P0, new OffsetAndMetadata(100)), ledger.uncommitted(List.of(P0)),
                "the next commit carries the partition again");

        ledger.awaitCommit(P0, 150, runs(100, 150));
        ledger.sent(Set.of(P0));
        counter.count(ledger.answered(Map.of(P0, new OffsetAndMetadata(150)), true));
        assertEquals(150, counted(), "the acknowledged commit counts every run below it");
        assertEquals(0, ledger.waitingRuns());

        counter.count(ledger.committed(Map.of(P0, new OffsetAndMetadata(150))));
        assertEquals(150, counted(), "an answer seen twice counts nothing twice");
    }

    @Test
    void aPartitionGivenUpWaitsForTheCommitsAlreadySent() {
        ledger.awaitCommit(P0, 50, runs(0, 50));
        ledger.sent(Set.of(P0));
        assertEquals(50, ledger.giveUp(List.of(P0)));
        // the commit sent before the partition left went through: its runs are this consumer's to count
        counter.count(ledger.answered(Map.of(P0, new OffsetAndMetadata(50)), true));
        assertEquals(50, counted());

        TopicPartition p1 = new TopicPartition("t", 1);
        ledger.awaitCommit(p1, 70, runs(50, 70, 1));
        ledger.sent(Set.of(p1));
        ledger.giveUp(List.of(p1));
        counter.count(ledger.answered(Map.of(p1, new OffsetAndMetadata(70)), false));
        assertEquals(0, ledger.waitingRuns(), "refused: given up, the next owner counts them");
        assertEquals(50, counted());
    }

    @Test
    void aPartitionGivenUpWithNothingInFlightLetsItsRunsGoAtOnce() {
        ledger.awaitCommit(P0, 10, runs(0, 10));
        assertEquals(10, ledger.giveUp(List.of(P0)));
        assertEquals(0, ledger.waitingRuns());
        counter.count(ledger.committed(Map.of(P0, new OffsetAndMetadata(10))));
        assertEquals(0, counted());
    }

    @Test
    void aPartitionThatComesBackIsNotCountedByTheAnswersOfItsFormerOwnership() {
        ledger.awaitCommit(P0, 100, runs(0, 100));
        ledger.sent(Set.of(P0));
        ledger.giveUp(List.of(P0));
        // back to this consumer after another member committed up to 300: it reads on from there
        ledger.awaitCommit(P0, 400, runs(300, 400));
        ledger.sent(Set.of(P0));
        // the answer to the commit sent before it left: refused, so runs 0-99 were the other member's to count
        counter.count(ledger.answered(Map.of(P0, new OffsetAndMetadata(100)), false));
        assertEquals(0, counted());
        counter.count(ledger.answered(Map.of(P0, new OffsetAndMetadata(400)), true));
        assertEquals(100, counted(), "only the runs delivered since it came back");
        assertEquals(0, ledger.waitingRuns());
    }

    @Test
    void aBatchDeliveredBeforeAnEarlierOneIsCommittedOnlyWithIt() {
        PartitionBatch first = ledger.handedOver(P0, 0, 100, runs(0, 100));
        PartitionBatch second = ledger.handedOver(P0, 100, 200, runs(100, 200));
        ledger.settle(List.of(second), true);
        assertEquals(Map.of(), ledger.uncommitted(List.of(P0)), "the first batch is still in flight");
        ledger.settle(List.of(first), true);
        assertEquals(Map.of(P0, new OffsetAndMetadata(200)), ledger.uncommitted(List.of(P0)));
        counter.count(ledger.committed(Map.of(P0, new OffsetAndMetadata(200))));
        assertEquals(200, counted());
    }

    @Test
    void aFailedBatchStopsTheCommitAndIsReadAgainFromItsFirstOffset() {
        TopicPartition p1 = new TopicPartition("t", 1);
        ledger.awaitCommit(P0, 50, runs(0, 50));
        PartitionBatch failing = ledger.handedOver(P0, 50, 100, runs(50, 100));
        PartitionBatch later = ledger.handedOver(P0, 100, 150, runs(100, 150));
        PartitionBatch other = ledger.handedOver(p1, 0, 30, runs(150, 180, 1));
        ledger.settle(List.of(later, other), true);
        ledger.settle(List.of(failing), false);

        assertEquals(Map.of(P0, new OffsetAndMetadata(50), p1, new OffsetAndMetadata(30)),
                ledger.uncommitted(List.of(P0, p1)), "P0 up to the failed batch only; P1 on its own");
        assertEquals(true, ledger.anyFailed(List.of(P0)));
        assertEquals(false, ledger.anyFailed(List.of(p1)));
        assertEquals(Map.of(P0, 50L), ledger.rewindTargets(List.of(P0, p1)));
        assertEquals(Map.of(), ledger.rewindTargets(List.of(P0, p1)), "sought back once");

        counter.count(ledger.committed(Map.of(P0, new OffsetAndMetadata(50))));
        assertEquals(50, counted(), "the failed batch and the one after it wait, uncounted");
        assertEquals(100, ledger.giveUp(List.of(P0)), "handed over: read again from offset 50");
        assertEquals(false, ledger.anyFailed(List.of(P0)));
    }

    private List<ConsumedEvent> runs(int from, int to) {
        return runs(from, to, 0);
    }

    private List<ConsumedEvent> runs(int from, int to, int partition) {
        List<ConsumedEvent> runs = new ArrayList<>();
        for (int n = from; n < to; n++) {
            IngestionEvent event = RESTRUCTURER.restructure(SyntheticRuns.run(n, 10, "run " + n));
            runs.add(new ConsumedEvent(event, RunLabels.of(event), new byte[0], event.source(),
                    "t-" + partition, n, true));
        }
        return runs;
    }

    private double counted() {
        return PrometheusText.named(PrometheusText.parse(registry.scrape()), "ingestion_runs_total").stream()
                .mapToDouble(PrometheusText.Sample::value).sum();
    }
}
