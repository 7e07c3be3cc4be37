package io.ingestobs.camel;

/**
 * One partition's asynchronous commits sent and not answered yet, and whose runs their answers settle: Kafka answers
 * a consumer's commits in the order they were sent, so when the partition leaves, the commits already in flight are
 * the ones whose answers belong to the ownership that ended, and every later one to the next.
 * <p>
 * Not thread-safe: guarded by the {@link DeliveryLedger}'s lock.
 */
final class PartitionCommits {

    private int inFlight;
    /** How many of those in flight were sent before the partition was given up. */
    private int answersForGivenUp;
    /** The highest offset sent in a commit and not refused since: a poll sends only what moved past it. */
    private long sentUpTo = -1;

    /** A commit was sent whose offset is not followed (tests of the counting alone). */
    void sent() {
        inFlight++;
    }

    void sent(long offset) {
        inFlight++;
        sentUpTo = Math.max(sentUpTo, offset);
    }

    /** Whether a commit of {@code deliveredUpTo} would move the partition past what was last sent. */
    boolean isDue(long deliveredUpTo) {
        return deliveredUpTo > sentUpTo;
    }

    /** The oldest commit in flight is answered; returns true if it was sent before the partition was given up. */
    boolean answered(boolean acknowledged) {
        inFlight--;
        if (!acknowledged) {
            // refused: the next poll sends the partition's delivered prefix again
            sentUpTo = -1;
        }
        if (answersForGivenUp > 0) {
            answersForGivenUp--;
            return true;
        }
        return false;
    }

    /** The partition left: the answers to the commits in flight settle the runs of the ownership that ended. */
    void giveUp() {
        answersForGivenUp = inFlight;
        sentUpTo = -1;
    }

    /** Whether no answer to a commit sent before the partition left is awaited any more. */
    boolean givenUpAnswered() {
        return answersForGivenUp == 0;
    }

    boolean idle() {
        return inFlight == 0;
    }
}
