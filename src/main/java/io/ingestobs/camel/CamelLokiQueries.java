package io.ingestobs.camel;

import io.ingestobs.loki.LokiQueries;
import io.ingestobs.loki.LokiResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;

/** Loki's query API through the loki-query route (camel-http, the same client and headers as the pushes). */
public final class CamelLokiQueries implements LokiQueries {

    static final String ENDPOINT = "direct:loki-query";

    private final ProducerTemplate template;

    public CamelLokiQueries(ProducerTemplate template) {
        this.template = template;
    }

    @Override
    public LokiResponse queryRange(String queryString) {
        Exchange answer = template.send(ENDPOINT, e -> e.getIn().setHeader(Exchange.HTTP_QUERY, queryString));
        if (answer.getException() != null) {
            return LokiResponse.noAnswer(answer.getException().toString());
        }
        Message reply = answer.getMessage();
        return LokiResponse.of(reply.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                reply.getBody(String.class), null);
    }
}
