package dev.weft.local.process;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;

/** A task run handed to the pool, with where its completion goes, the id it travels under, and its frame. */
final class Assignment {
  final long id;
  final TaskRun run;
  final CompletionQueue completions;
  private BinaryWriter frame;

  Assignment(long id, TaskRun run, CompletionQueue completions) {
    this.id = id;
    this.run = run;
    this.completions = completions;
  }

  /**
   * Encodes the {@code RunTask} message once (large byte arguments are referenced, not copied) and returns its size.
   *
   * @throws IllegalArgumentException if an argument is not a Weft value
   */
  long encode(ValueCodec values) {
    if (frame == null) {
      BinaryWriter out = new BinaryWriter(128);
      WorkerProtocol.writeRunTask(out, values, id, run.key, run.functionName, run.args());
      frame = out;
    }
    return frame.length();
  }

  /** The encoded message; {@link #encode} first. */
  BinaryWriter frame() {
    return frame;
  }

  long frameBytes() {
    return frame == null ? 0 : frame.length();
  }

  /** Hands the run back to its compute as failed; {@code detail} as {@link TaskRun#failed}. */
  void fail(Throwable cause, String detail) {
    run.failed(cause, detail);
    completions.put(run);
  }
}
