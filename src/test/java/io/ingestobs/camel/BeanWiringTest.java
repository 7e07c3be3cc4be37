package io.ingestobs.camel;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The pipeline's beans are declared the Camel Main way: Camel's bean post-processing of the configuration classes
 * alone (@PropertyInject, @BindToRegistry), before any configure(), binds every bean the routes name
 * (routes/producer.yaml, dead-letters.yaml, consumer.yaml, loki.yaml), from application.properties.
 */
class BeanWiringTest {

    @Test
    void postProcessingTheConfigurationsBindsTheBeansTheRoutesName() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            Properties overrides = new Properties();
            overrides.put("kafka.brokers", "127.0.0.1:1");
            overrides.put("loki.url", "http://127.0.0.1:1");
            overrides.put("loki.pushConcurrency", "3");
            context.getPropertiesComponent().setOverrideProperties(overrides);
            CamelBeanPostProcessor beans = PluginHelper.getBeanPostProcessor(context);
            ProducerSummary summary = new ProducerSummary(() -> { });
            for (CamelConfiguration configuration : List.of(new PipelineConfiguration(summary, Clock.systemUTC()),
                    new ConsumerConfiguration(Clock.systemUTC()), new LokiConfiguration(Clock.systemUTC()))) {
                beans.postProcessBeforeInitialization(configuration, configuration.getClass().getName());
                beans.postProcessAfterInitialization(configuration, configuration.getClass().getName());
            }
            for (String name : List.of("producerSummary", "inputReader", "deadLetters", "ingestedFiles",
                    "pipelineMetrics", "batchReader", "offsetCommitter", "recordCommits", "handoverClients",
                    "consumerLag", "runMeters", "metricPairsHealth", "lokiStage", "lokiPushSteps", "lokiPushers",
                    "lokiHealth", "http")) {
                assertNotNull(context.getRegistry().lookupByName(name), name);
            }
            assertEquals(context.getRegistry().lookupByName("lokiSink"), context.getRegistry().lookupByName("lokiSink"),
                    "one sink, however often looked up");
            assertSame(summary, context.getRegistry().lookupByName("producerSummary"), "the launcher's summary");
            assertEquals(LokiHealthCheck.class, context.getRegistry().lookupByName("lokiHealth").getClass());
        }
    }
}
