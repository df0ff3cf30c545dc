package dev.weft.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.worker.internal.DeathWatch.Role;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The marks a worker leaves in its commits, as its successors read them: a poison record at offset 7 takes down one
 * owner after the other, until it is run alone and then not at all.
 */
class DeathWatchTest {
  private static final TopicPartition PARTITION = new TopicPartition("weft.tasks.default", 3);

  /** The next owner of the partition, which reads what the last one committed. */
  private static DeathWatch successor(OffsetAndMetadata committed, String[] commitAtOnce) {
    DeathWatch watch = new DeathWatch(1);
    commitAtOnce[0] = watch.takeOver(PARTITION, committed);
    return watch;
  }

  @Test
  void aRecordThatKeepsKillingItsWorkersRunsAloneThenNotAtAll() {
    String[] atOnce = new String[1];
    // The first owner ever: nothing known; it runs as usual and commits "deaths=0" as it goes.
    DeathWatch first = successor(null, atOnce);
    assertNull(atOnce[0]);
    assertEquals(Role.AS_USUAL, first.roleOf(PARTITION, 7));
    String mark = first.mark(PARTITION, 5, false);
    assertEquals("deaths=0", mark);

    // It dies at 7, with 5 committed. The next owner counts one death, records it at once, runs as usual.
    DeathWatch second = successor(new OffsetAndMetadata(5, mark), atOnce);
    assertEquals("deaths=1", atOnce[0]);
    assertEquals(Role.AS_USUAL, second.roleOf(PARTITION, 7));
    // Progress clears the count: were 7 done, and the commit past it, a later death would count from one again.
    assertEquals("deaths=1", second.mark(PARTITION, 5, false), "no progress past 5 yet");

    // It dies at 7 too, before getting past 5: two in a row. From 5 on, records run alone.
    DeathWatch third = successor(new OffsetAndMetadata(5, atOnce[0]), atOnce);
    assertEquals("deaths=2", atOnce[0]);
    assertEquals(Role.ALONE, third.roleOf(PARTITION, 5));
    assertEquals(Role.ALONE, third.roleOf(PARTITION, 5 + DeathWatch.ALONE_WINDOW - 1));
    assertEquals(Role.AS_USUAL, third.roleOf(PARTITION, 5 + DeathWatch.ALONE_WINDOW));
    third.runningAlone(PARTITION, 5);
    third.ranAlone(PARTITION, 5);
    third.runningAlone(PARTITION, 6);
    third.ranAlone(PARTITION, 6);
    third.runningAlone(PARTITION, 7);
    String namingSeven = third.mark(PARTITION, 7, false);
    assertEquals("deaths=2;alone=7", namingSeven, "named before it runs; still within the window: no reset");

    // It died running 7 alone: 7 is to blame, and with one death allowed, 7 is not run again.
    DeathWatch fourth = successor(new OffsetAndMetadata(7, namingSeven), atOnce);
    assertEquals("deaths=3;blame=7:1", atOnce[0]);
    assertEquals(Role.KILLED_WORKERS, fourth.roleOf(PARTITION, 7));
    assertEquals(1, fourth.deathsOf(PARTITION, 7));
    assertEquals(Role.ALONE, fourth.roleOf(PARTITION, 8), "the rest of the window still runs alone");
    // Past the window, everything is forgotten.
    assertEquals("deaths=0", fourth.mark(PARTITION, 7 + DeathWatch.ALONE_WINDOW, false));
    assertEquals(Role.AS_USUAL, fourth.roleOf(PARTITION, 7 + DeathWatch.ALONE_WINDOW));
  }

  @Test
  void aGracefulHandOverIsNoDeathButKeepsWhatWasCounted() {
    String[] atOnce = new String[1];
    DeathWatch owner = successor(new OffsetAndMetadata(4, "deaths=1"), atOnce);
    assertEquals("deaths=2", atOnce[0]);
    String handedOver = owner.mark(PARTITION, 4, true);
    assertEquals("deaths=2;handed-over", handedOver);
    DeathWatch next = successor(new OffsetAndMetadata(4, handedOver), atOnce);
    assertEquals("deaths=2", atOnce[0], "not a death, but the two before still count");
    assertEquals(Role.ALONE, next.roleOf(PARTITION, 4));

    DeathWatch healthy = successor(new OffsetAndMetadata(9, "deaths=0;handed-over"), atOnce);
    assertNull(atOnce[0], "a healthy partition handed over has nothing to record");
    assertEquals(Role.AS_USUAL, healthy.roleOf(PARTITION, 9));
  }

  @Test
  void aRecordThatRanAloneAndLivedIsNotToBlame() {
    String[] atOnce = new String[1];
    DeathWatch owner = successor(new OffsetAndMetadata(7, "deaths=2;blame=7:1"), atOnce);
    assertEquals(Role.KILLED_WORKERS, owner.roleOf(PARTITION, 7));
    DeathWatch lenient = new DeathWatch(2);
    lenient.takeOver(PARTITION, new OffsetAndMetadata(7, "deaths=2;blame=7:1"));
    assertEquals(Role.ALONE, lenient.roleOf(PARTITION, 7), "two deaths allowed: it runs alone again");
    lenient.runningAlone(PARTITION, 7);
    lenient.ranAlone(PARTITION, 7);
    assertEquals(Role.ALONE, lenient.roleOf(PARTITION, 7));
    assertEquals(0, lenient.deathsOf(PARTITION, 7), "it lived: the blame is gone");
  }

  @Test
  void marksOfAnotherHandAreIgnored() {
    String[] atOnce = new String[1];
    DeathWatch owner = successor(new OffsetAndMetadata(3, "written by someone else"), atOnce);
    assertNull(atOnce[0]);
    assertEquals(Role.AS_USUAL, owner.roleOf(PARTITION, 3));
    owner = successor(new OffsetAndMetadata(3, "deaths=x;blame=;alone="), atOnce);
    assertEquals(Role.AS_USUAL, owner.roleOf(PARTITION, 3));
  }
}
