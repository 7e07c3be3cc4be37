package io.ingestobs.loki;

/** Sends one encoded push body to Loki and says what Loki answered; never throws for an HTTP or network error. */
@FunctionalInterface
public interface LokiClient {

    LokiResponse push(byte[] body);
}
