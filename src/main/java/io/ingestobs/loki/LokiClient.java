package io.ingestobs.loki;

import java.nio.ByteBuffer;

/** Sends one encoded push body to Loki and says what Loki answered; never throws for an HTTP or network error. */
@FunctionalInterface
public interface LokiClient {

    /** {@code body}: its bytes from position to limit, read but not moved; each attempt may send it again. */
    LokiResponse push(ByteBuffer body);
}
