package io.ingestobs.routes;

import io.ingestobs.camel.ConsumedBatch;
import io.ingestobs.camel.ConsumedEvent;
import io.ingestobs.camel.ConsumerConfiguration;
import io.ingestobs.camel.LokiConfiguration;
import io.ingestobs.camel.PipelineConfiguration;
import io.ingestobs.camel.ProducerSummary;
import io.ingestobs.domain.EventJson;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.IngestionEvent;
import io.ingestobs.domain.RunLabels;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.testsupport.PrometheusText;
import io.ingestobs.testsupport.SyntheticRuns;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One route file of {@code routes/} on Camel's test support, without a broker: the shipped YAML, the pipeline's
 * beans as {@link PipelineConfiguration} binds them from {@code application.properties}, then AdviceWith puts mock
 * endpoints where Kafka would be. Each test loads the files it needs, advises the routes, then starts Camel.
 */
abstract class RouteTestSupport extends CamelTestSupport {

    @TempDir
    Path temp;

    protected final ProducerSummary summary = new ProducerSummary(() -> { });

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        // the context starts once the test has advised the routes
        configuration.withUseAdviceWith(true);
    }

    /** Binds the pipeline's beans with {@code overrides} on top of application.properties, then loads the files. */
    protected void load(Map<String, String> overrides, String... routeFiles) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        properties.setLocation("classpath:application.properties");
        Properties override = new Properties();
        // nothing listens there: a route that reached Kafka for real would fail the test
        override.put("kafka.brokers", "127.0.0.1:1");
        override.put("input.stateFile", temp.resolve("ingested-files.txt").toString());
        override.putAll(overrides);
        properties.setOverrideProperties(override);
        // as Camel Main does with its configuration classes: inject their properties, bind their beans, then
        // configure each
        List<CamelConfiguration> configurations = List.of(new PipelineConfiguration(summary, Clock.systemUTC()),
                new ConsumerConfiguration(Clock.systemUTC()), new LokiConfiguration(Clock.systemUTC()));
        CamelBeanPostProcessor beans = PluginHelper.getBeanPostProcessor(context);
        for (CamelConfiguration configuration : configurations) {
            beans.postProcessBeforeInitialization(configuration, configuration.getClass().getName());
            beans.postProcessAfterInitialization(configuration, configuration.getClass().getName());
        }
        for (CamelConfiguration configuration : configurations) {
            configuration.configure(context);
        }
        for (String file : routeFiles) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    PluginHelper.getResourceLoader(context).resolveResource("file:routes/" + file));
        }
    }

    protected double total(String family) {
        return samples(family).stream().mapToDouble(PrometheusText.Sample::value).sum();
    }

    protected java.util.List<PrometheusText.Sample> samples(String family) {
        PrometheusMeterRegistry registry = context.getRegistry().lookupByNameAndType(
                MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        return PrometheusText.named(PrometheusText.parse(registry.scrape()), family);
    }

    /** A consumed batch of {@code runs} synthetic runs (SyntheticRuns), offsets 1..runs of one partition. */
    protected static ConsumedBatch syntheticBatch(int runs) {
        EventRestructurer restructurer = new EventRestructurer(Thresholds.DEFAULT);
        List<ConsumedEvent> events = new ArrayList<>();
        for (int n = 1; n <= runs; n++) {
            IngestionEvent event = restructurer.restructure(SyntheticRuns.run(n, 10, "run " + n));
            events.add(new ConsumedEvent(event, RunLabels.of(event), EventJson.write(event), event.source(),
                    "ingestion-logs-0", n, true));
        }
        return new ConsumedBatch(events, List.of(), Map.of(), Map.of());
    }
}
