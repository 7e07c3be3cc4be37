package io.ingestobs.camel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which commits a partition's next poll sends, and whose runs an answer settles. */
class PartitionCommitsTest {

    private final PartitionCommits commits = new PartitionCommits();

    @Test
    void aRefusedCommitIsDueAgainAtTheNextPoll() {
        commits.sent(100);
        assertFalse(commits.isDue(100), "sent and not answered: not sent twice");
        assertTrue(commits.isDue(150));

        commits.answered(false);
        assertTrue(commits.isDue(100), "refused: the same offset goes out again");
    }

    @Test
    void answersToCommitsSentBeforeTheGiveUpBelongToTheEndedOwnership() {
        commits.sent(100);
        commits.sent(200);
        commits.giveUp();
        assertTrue(commits.isDue(50), "read again from a lower committed offset, the partition commits it");
        commits.sent(300);

        assertTrue(commits.answered(true));
        assertFalse(commits.givenUpAnswered());
        assertTrue(commits.answered(false));
        assertTrue(commits.givenUpAnswered());
        assertFalse(commits.answered(true), "sent after the partition came back");
        assertTrue(commits.idle());
    }
}
