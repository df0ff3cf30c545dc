package dev.weft.worker.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts the workers that died while running the tasks of a partition, so that a task that takes down every worker
 * it is handed to fails its graph instead of taking the whole pool down (Dask's {@code KilledWorker}). Owned by the
 * worker's poll thread.
 *
 * <p>What survives a worker's death is the commit metadata of its partitions: each commit says, beside the offset,
 * how many owners died in a row without getting past it ({@code deaths=K}), which record runs alone now
 * ({@code alone=O}), and which record took down workers while it ran alone ({@code blame=O:D}); a graceful handover
 * adds {@code handed-over}. An owner that takes a partition over without {@code handed-over} knows its predecessor
 * died, and records the death at once, before it runs anything.
 *
 * <p>After {@link #DEATHS_BEFORE_RUNNING_ALONE} deaths in a row, the records from where they happened run alone, one
 * at a time, with nothing else running on the worker, and each is named in a commit before it starts: a worker that
 * dies then is known to have died of that record. A record that took down {@code maxDeathsAlone} workers so is not
 * run again: its task fails with {@code KilledWorkerException}. Nothing of this costs anything while workers live:
 * the marks ride on the commits the worker makes anyway.
 */
public final class DeathWatch {
  /** Owners that died in a row, without progress, before a partition's records run alone. */
  public static final int DEATHS_BEFORE_RUNNING_ALONE = 2;
  /** How many records, from where the deaths happened, run alone before the partition runs as usual again. */
  public static final int ALONE_WINDOW = 256;

  /** How a record is to be run. */
  public enum Role {
    AS_USUAL,
    /** Alone on the worker, named in a commit first. */
    ALONE,
    /** Not at all: it took down enough workers; its task fails with KilledWorkerException. */
    KILLED_WORKERS
  }

  private static final class Watch {
    /** Where the partition stood at takeover, or at the last commit: progress is getting past it. */
    long start;
    int deaths;
    long aloneUntil = -1;
    long runningAlone = -1;
    long blamed = -1;
    int blamedDeaths;
  }

  private final int maxDeathsAlone;
  private final Map<TopicPartition, Watch> watches = new HashMap<>();

  /** @param maxDeathsAlone workers a record may take down while it runs alone before it is not run again */
  public DeathWatch(int maxDeathsAlone) {
    this.maxDeathsAlone = maxDeathsAlone;
  }

  /**
   * Takes over a partition from the mark its previous owner committed (null if none did).
   *
   * @return the mark to commit at once, before any record of the partition runs, or null if there is nothing to say
   */
  public String takeOver(TopicPartition partition, OffsetAndMetadata committed) {
    Watch watch = new Watch();
    watches.put(partition, watch);
    if (committed == null) {
      return null;
    }
    watch.start = committed.offset();
    String mark = committed.metadata() == null ? "" : committed.metadata();
    boolean handedOver = false;
    long alone = -1;
    for (String field : mark.split(";")) {
      try {
        if (field.startsWith("deaths=")) {
          watch.deaths = Integer.parseInt(field.substring("deaths=".length()));
        } else if (field.startsWith("alone=")) {
          alone = Long.parseLong(field.substring("alone=".length()));
        } else if (field.startsWith("blame=")) {
          String[] blame = field.substring("blame=".length()).split(":");
          watch.blamed = Long.parseLong(blame[0]);
          watch.blamedDeaths = Integer.parseInt(blame[1]);
        } else if (field.equals("handed-over")) {
          handedOver = true;
        }
      } catch (RuntimeException e) {
        // a mark of another version or hand: what could be read counts
      }
    }
    if (!mark.startsWith("deaths=")) {
      return null; // no Weft worker's mark: nothing is known of the previous owner
    }
    if (!handedOver) {
      watch.deaths++;
      if (alone >= 0) {
        // It died running this record alone: that record took it down.
        watch.blamedDeaths = watch.blamed == alone ? watch.blamedDeaths + 1 : 1;
        watch.blamed = alone;
      }
    }
    if (watch.deaths >= DEATHS_BEFORE_RUNNING_ALONE) {
      watch.aloneUntil = watch.start + ALONE_WINDOW;
    }
    return watch.deaths > 0 || watch.blamed >= 0 ? mark(watch, false) : null;
  }

  /** How {@code offset} of {@code partition} is to be run. */
  public Role roleOf(TopicPartition partition, long offset) {
    Watch watch = watches.get(partition);
    if (watch == null) {
      return Role.AS_USUAL;
    }
    if (offset == watch.blamed && watch.blamedDeaths >= maxDeathsAlone) {
      return Role.KILLED_WORKERS;
    }
    return offset < watch.aloneUntil ? Role.ALONE : Role.AS_USUAL;
  }

  /** How many workers {@code offset} took down while it ran alone (for the failure's message). */
  public int deathsOf(TopicPartition partition, long offset) {
    Watch watch = watches.get(partition);
    return watch != null && watch.blamed == offset ? watch.blamedDeaths : 0;
  }

  /** {@code offset} starts alone: the marks say so from now on. */
  public void runningAlone(TopicPartition partition, long offset) {
    watches.get(partition).runningAlone = offset;
  }

  /** {@code offset} ran alone, and its worker lives: it is not to blame. */
  public void ranAlone(TopicPartition partition, long offset) {
    Watch watch = watches.get(partition);
    if (watch != null && watch.runningAlone == offset) {
      watch.runningAlone = -1;
      if (watch.blamed == offset) {
        watch.blamed = -1;
        watch.blamedDeaths = 0;
      }
    }
  }

  /**
   * The mark to commit with {@code offset} of {@code partition}. Getting past where the deaths happened (past the
   * records run alone, when they do) clears them.
   *
   * @param handedOver whether the partition is being handed over gracefully (no death to count)
   */
  public String mark(TopicPartition partition, long offset, boolean handedOver) {
    Watch watch = watches.computeIfAbsent(partition, p -> new Watch());
    if (offset > watch.start && (watch.aloneUntil < 0 || offset >= watch.aloneUntil) && watch.runningAlone < 0) {
      watch.deaths = 0;
      watch.aloneUntil = -1;
      if (watch.blamed < offset) {
        watch.blamed = -1;
        watch.blamedDeaths = 0;
      }
    }
    watch.start = Math.max(watch.start, offset);
    return mark(watch, handedOver);
  }

  private static String mark(Watch watch, boolean handedOver) {
    StringBuilder mark = new StringBuilder("deaths=").append(watch.deaths);
    if (watch.runningAlone >= 0) {
      mark.append(";alone=").append(watch.runningAlone);
    }
    if (watch.blamed >= 0) {
      mark.append(";blame=").append(watch.blamed).append(':').append(watch.blamedDeaths);
    }
    if (handedOver) {
      mark.append(";handed-over");
    }
    return mark.toString();
  }

  /** Forgets a partition that moved to another worker. */
  public void forget(TopicPartition partition) {
    watches.remove(partition);
  }
}
