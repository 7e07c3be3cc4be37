package io.ingestobs.loki;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Sends one encoded push body to Loki and says what Loki answered; never throws for an HTTP or network error. */
@FunctionalInterface
public interface LokiClient {

    /** {@code body}: its bytes from position to limit, read but not moved; each attempt may send it again. */
    LokiResponse push(ByteBuffer body);

    /**
     * Which of {@code entries} Loki holds already (same stream, time and line), asked before sending again a push
     * whose answer never came. Empty: Loki did not answer (still stalled or down), ask again later. A client that
     * cannot ask (or a Loki that will not be queried with these credentials) answers an empty set: the push is
     * then sent again whole, as it would be without this check.
     */
    default Optional<Set<LokiEntry>> alreadyStored(List<LokiEntry> entries) {
        return Optional.of(Set.of());
    }
}
