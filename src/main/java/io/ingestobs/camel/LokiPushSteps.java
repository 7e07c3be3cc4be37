package io.ingestobs.camel;

import io.ingestobs.loki.LokiRequest;
import io.ingestobs.loki.LokiResponse;
import io.ingestobs.loki.LokiSettings;
import io.ingestobs.loki.LokiSink;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The request steps of routes/loki.yaml, thin adapters between the exchange and the sink that decides: what to
 * send, Loki's answer (HTTP status, body, Retry-After) read off the camel-http reply, whether to try again within
 * the budget. The tenant and auth headers are set here from the properties; they never reach a log.
 */
public final class LokiPushSteps {

    /** The exchange property holding the request a loki-request exchange delivers. */
    public static final String REQUEST = "lokiRequest";
    /** Whether the attempt has a body to push (false: all of it is in Loki already, or the call failed). */
    public static final String SEND = "lokiSend";
    /** What became of the request once Loki answered as meant ({@link LokiSink.Outcome}). */
    public static final String OUTCOME = "lokiOutcome";

    private final String tenantId;
    private final String authorization;

    public LokiPushSteps(LokiSettings settings) {
        this.tenantId = settings.tenantId();
        if (settings.bearerToken() != null) {
            this.authorization = "Bearer " + settings.bearerToken();
        } else if (settings.username() != null) {
            String pair = settings.username() + ":" + (settings.password() == null ? "" : settings.password());
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
    }

    /** Loki's optional tenant header and basic or bearer auth (SPEC §5), on every request to Loki. */
    public void authorize(Exchange exchange) {
        Message message = exchange.getMessage();
        if (tenantId != null) {
            message.setHeader("X-Scope-OrgID", tenantId);
        }
        if (authorization != null) {
            message.setHeader("Authorization", authorization);
        }
    }

    /** The push body of this attempt, as the HTTP entity camel-http sends as it is (no copy of the bytes). */
    public void prepare(Exchange exchange) {
        LokiRequest request = request(exchange);
        ByteBuffer body = request.sink().beforeAttempt(request);
        exchange.setProperty(SEND, body != null);
        if (body == null) {
            exchange.setProperty(OUTCOME, request.sink().outcome(request));
            return;
        }
        exchange.getMessage().setBody(new ByteArrayEntity(body.array(), body.arrayOffset() + body.position(),
                body.remaining(), ContentType.APPLICATION_JSON));
        authorize(exchange);
    }

    /** Loki answered: its status, body and Retry-After decide. */
    public void answered(Exchange exchange) {
        Message reply = exchange.getMessage();
        decide(exchange, LokiResponse.of(reply.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                reply.getBody(String.class), reply.getHeader("Retry-After", String.class)));
    }

    /** No answer came (the exception camel-http threw is the caught one). */
    public void unanswered(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String text = error == null ? "no answer" : error.getClass().getSimpleName() + ": " + error.getMessage();
        decide(exchange, neverSent(error) ? LokiResponse.noAnswer(text) : LokiResponse.unanswered(text));
    }

    /** Loki refused content among several entries: the request goes again as two halves. */
    public boolean mustSplit(Exchange exchange) {
        return exchange.getProperty(OUTCOME) == LokiSink.Outcome.SPLIT;
    }

    public List<LokiRequest> halves(Exchange exchange) {
        LokiRequest request = request(exchange);
        return request.sink().halves(request);
    }

    /** The retryWhile of the route's redelivery: within LOKI_RETRY_MAX_MS of the request's first attempt. */
    public boolean retryAllowed(Exchange exchange) {
        LokiRequest request = request(exchange);
        return request.sink().retryAllowed(request,
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class));
    }

    /** Redelivery exhausted: the request's call fails, and its batch goes back to Kafka uncommitted. */
    public void gaveUp(Exchange exchange) {
        LokiRequest request = request(exchange);
        request.sink().gaveUp(request);
    }

    /** Any other failure of a request ends it too (its batch fails with that error). */
    public void failed(Exchange exchange) {
        LokiRequest request = request(exchange);
        if (request != null) {
            request.sink().failed(request, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        }
    }

    private static void decide(Exchange exchange, LokiResponse response) {
        LokiRequest request = request(exchange);
        // read by the error handler when it computes the wait before the next attempt (onRedelivery runs after it)
        response.retryAfter().ifPresent(wait -> exchange.getMessage()
                .setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis()));
        exchange.setProperty(OUTCOME, request.sink().answered(request, response));
    }

    /** The request never reached Loki: no connection (refused, unreachable, timed out, none free in the pool). */
    static boolean neverSent(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof ConnectException || e instanceof ConnectTimeoutException
                    || e instanceof UnknownHostException || e instanceof NoRouteToHostException
                    || e instanceof ConnectionRequestTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static LokiRequest request(Exchange exchange) {
        return exchange.getProperty(REQUEST, LokiRequest.class);
    }
}
