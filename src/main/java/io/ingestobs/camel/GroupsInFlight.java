package io.ingestobs.camel;

/**
 * The groups of one file sent to Kafka and not yet answered for: at most {@code limit} at once, so that the next group
 * goes out while the last ones are acknowledged (no stop-and-wait per group) and memory stays bounded whatever the
 * file's size. Groups are admitted in file order and their answers gone through in the same order (counts, dead
 * letters in file order); the first group that fails stops the admission of more, and the file waits for every group
 * in flight before its summary.
 */
final class GroupsInFlight {

    private final int limit;
    private long admitted;
    private long completed;
    private Exception failure;

    GroupsInFlight(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("PRODUCER_GROUPS_IN_FLIGHT must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * A place for the next group, waiting while {@code limit} groups are in flight; its number in the file. Throws
     * the failure of an earlier group: the file ends there.
     */
    synchronized long admit() throws InterruptedException {
        while (failure == null && admitted - completed >= limit) {
            wait();
        }
        if (failure != null) {
            throw new IllegalStateException("an earlier group of the file was not published: "
                    + failure.getMessage(), failure);
        }
        return admitted++;
    }

    /** Waits until the groups before {@code group} have been gone through: answers are handled in file order. */
    synchronized void awaitTurn(long group) throws InterruptedException {
        while (completed < group) {
            wait();
        }
    }

    /** Group {@code group} is gone through (answered, counted, its dead letters sent), or failed. */
    synchronized void done(long group) {
        if (group != completed) {
            throw new IllegalStateException("group " + group + " done out of turn, " + completed + " expected");
        }
        completed++;
        notifyAll();
    }

    /** A group was not published completely: no group is admitted after it. The first failure is kept. */
    synchronized void failed(Exception cause) {
        if (failure == null) {
            failure = cause != null ? cause : new IllegalStateException("a group failed");
        }
        notifyAll();
    }

    /** Waits until every admitted group has been gone through. */
    synchronized void awaitAll() throws InterruptedException {
        while (completed < admitted) {
            wait();
        }
    }

    /** As {@link #awaitAll()}, for at most {@code millis}; false if groups are still in flight then. */
    synchronized boolean awaitAll(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (completed < admitted) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** The first group's failure, if any. */
    synchronized Exception failure() {
        return failure;
    }

    synchronized long inFlight() {
        return admitted - completed;
    }
}
