package io.ingestobs.camel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound on a file's groups in flight: no more than the limit admitted unanswered, answers gone through in file
 * order, the first failure stopping the admission, and the wait for every group before the summary.
 */
class GroupsInFlightTest {

    @Test
    void noMoreThanTheLimitAreAdmittedUnanswered() throws Exception {
        GroupsInFlight groups = new GroupsInFlight(2);
        assertEquals(0, groups.admit());
        assertEquals(1, groups.admit());
        CompletableFuture<Long> third = CompletableFuture.supplyAsync(() -> {
            try {
                return groups.admit();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> third.get(200, TimeUnit.MILLISECONDS), "a third went");
        groups.done(0);
        assertEquals(2, third.get(5, TimeUnit.SECONDS));
        assertEquals(2, groups.inFlight());
    }

    @Test
    void answersAreGoneThroughInFileOrder() throws Exception {
        GroupsInFlight groups = new GroupsInFlight(3);
        groups.admit();
        groups.admit();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                groups.awaitTurn(1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS),
                "the second group's turn before the first was gone through");
        assertThrows(IllegalStateException.class, () -> groups.done(1), "done out of turn");
        groups.done(0);
        second.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFailureStopsTheAdmissionAndTheFileWaitsForTheGroupsInFlight() throws Exception {
        GroupsInFlight groups = new GroupsInFlight(3);
        groups.admit();
        groups.admit();
        groups.failed(new IllegalStateException("broker gone"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, groups::admit);
        assertTrue(refused.getMessage().contains("broker gone"), refused.getMessage());
        assertFalse(groups.awaitAll(100), "two groups are still unanswered");
        groups.done(0);
        groups.done(1);
        assertTrue(groups.awaitAll(100));
        assertEquals("broker gone", groups.failure().getMessage());
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GroupsInFlight(0));
    }
}
