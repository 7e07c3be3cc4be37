package io.ingestobs.http;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.launcher.PipelineApp;
import io.ingestobs.launcher.Role;
import io.ingestobs.testsupport.Await;
import io.ingestobs.testsupport.Http;
import io.ingestobs.testsupport.KafkaBrokerExtension;
import io.ingestobs.testsupport.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §4, final scrape: a consumer that stops after being scraped keeps /metrics up, with its final counts and
 * /health DOWN, until one more scrape has read them (at most METRICS_FINAL_SCRAPE_WAIT_MS); one never scraped
 * stops at once.
 */
class FinalScrapeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void aScrapedConsumerServesItsFinalCountsOnceMoreBeforeItStops() throws Exception {
        broker.createTopics(3, "final", "final.dlq");
        int port = EmbeddedKafkaBroker.freePort();
        String base = "http://127.0.0.1:" + port;
        PipelineApp app = start("final", port);
        Await.until("72 runs counted", () -> Scrape.total(base + "/metrics", "ingestion_runs_total") == 72);

        long stopAsked = System.nanoTime();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> close(app));
        // the routes are stopped and the wait begun: /health says DOWN while /metrics still answers
        Await.until("/health DOWN while stopping", Duration.ofSeconds(15), () -> status(base + "/health") == 503);
        assertFalse(stopped.isDone(), "still waiting for the final scrape");
        HttpResponse<String> last = Http.get(base + "/metrics");
        assertEquals(200, last.statusCode());
        assertTrue(last.body().contains("ingestion_runs_total"), "the final counts are served");
        stopped.get(15, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - stopAsked < WAIT.toNanos(), "stopped once scraped, not after the whole wait");
    }

    @Test
    void aConsumerNeverScrapedStopsWithoutWaiting() throws Exception {
        broker.createTopics(3, "unscraped", "unscraped.dlq");
        int port = EmbeddedKafkaBroker.freePort();
        PipelineApp app = start("unscraped", port);
        // counted, as the final count of a scraped one would be, but nobody ever read /metrics
        Thread.sleep(3000);
        long start = System.nanoTime();
        close(app);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "Ctrl-C on the demo stays quick");
    }

    private static PipelineApp start(String topic, int port) throws Exception {
        return PipelineApp.start(Role.ALL, broker.bootstrapServers(), Map.of(
                "kafka.topic", topic, "kafka.dlqTopic", topic + ".dlq", "kafka.groupId", topic + "-group",
                "camel.management.port", Integer.toString(port), "input.file", "logs.json",
                "metrics.finalScrapeWaitMs", Long.toString(WAIT.toMillis())), Duration.ofMinutes(1));
    }

    private static int status(String url) {
        try {
            return Http.get(url).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void close(PipelineApp app) {
        try {
            app.close();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
