package dev.weft.local.process;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What happens when a worker that said hello is gone (it exited, exhausted its heap, or was killed): the task it was
 * running fails with a {@link WorkerDiedException} that says how, the tasks queued behind it, which never started, go
 * back to the front of the queue for other workers, and a new worker takes its slot. The values it kept are lost: a
 * task that reads one the caller had not fetched fails when its turn comes ({@link Dispatcher}).
 *
 * <p>Two things notice a death: a reading compute that sees the connection end, and the process's end (handled on the
 * pool's executor). Whichever buries second finds the worker dead already and does nothing.
 */
final class WorkerBurial {
  private static final long EXIT_WAIT_MILLIS = 5_000;

  private final Object lock;
  private final ReplyReader replies;
  private final Dispatcher dispatcher;
  private final WorkerSupervisor supervisor;

  WorkerBurial(Object lock, ReplyReader replies, Dispatcher dispatcher, WorkerSupervisor supervisor) {
    this.lock = lock;
    this.replies = replies;
    this.dispatcher = dispatcher;
    this.supervisor = supervisor;
  }

  /** Buries a worker whose connection or process ended. Takes the reading turn, so the caller holds no lock. */
  void bury(WorkerProcess worker) {
    // Replies it sent before it ended count: read them first, so that only the task it was running is blamed.
    replies.readLastReplies(worker);
    List<Assignment> unanswered;
    List<Assignment> waitedForValues;
    boolean poolClosed;
    synchronized (lock) {
      if (worker.isDead()) {
        return;
      }
      unanswered = worker.die();
      // Tasks that waited for a value this worker was to send: back to the queue, where they fail as having lost it.
      waitedForValues = worker.abandonFetches();
      supervisor.vacate(worker);
      poolClosed = supervisor.isClosed();
      if (!poolClosed) {
        dispatcher.requeueFirst(waitedForValues);
        if (unanswered.size() > 1) {
          dispatcher.requeueFirst(unanswered.subList(1, unanswered.size()));
        }
      }
    }
    worker.close();
    if (poolClosed) {
      for (Assignment assignment : waitedForValues) {
        assignment.fail(new IllegalStateException("the process pool was closed"), "the process pool was closed");
      }
      for (Assignment assignment : unanswered) {
        assignment.fail(new IllegalStateException("the process pool was closed"), "the process pool was closed");
      }
      return;
    }
    String how = describeExit(worker);
    String why = worker + " died (" + how + ")";
    if (!unanswered.isEmpty()) {
      Assignment running = unanswered.get(0);
      String detail = worker + " died while running it: " + how;
      running.fail(new WorkerDiedException(detail, exitCode(worker)), detail);
      why += " while running task '" + running.run.key + "'";
    }
    supervisor.replace(worker, why);
    dispatcher.dispatch();
  }

  /** The process's exit code, waiting briefly for it to exit; -1 if it has not. */
  static int exitCode(WorkerProcess worker) {
    try {
      if (worker.process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        return worker.process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /** How the process ended and what it printed last, for an error message. Waits up to seconds for both. */
  static String describeExit(WorkerProcess worker) {
    int code = exitCode(worker);
    worker.output.awaitDrained(EXIT_WAIT_MILLIS);
    String last = worker.output.lastLines();
    String how;
    if (code < 0) {
      how = "its connection closed but the process has not exited";
    } else if (code > 128 && code < 128 + 65) {
      how = "killed by signal " + (code - 128) + signalName(code - 128);
    } else if (last.contains("OutOfMemoryError")) {
      how = "exit code " + code + ", out of memory (raise the workers' -Xmx with the processes.jvm.options option)";
    } else {
      how = "exit code " + code;
    }
    return last.isEmpty() ? how : how + "; its last output: " + last;
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> " (SIGKILL)";
      case 15 -> " (SIGTERM)";
      case 6 -> " (SIGABRT)";
      case 11 -> " (SIGSEGV)";
      case 2 -> " (SIGINT)";
      default -> "";
    };
  }
}
