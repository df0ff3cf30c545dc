package dev.weft.broker.protocol;

import java.util.List;

/** A record of a tasks topic: a task whose inputs are all available, for a worker to run. */
public record ReadyTask(String graphId, String taskKey, int attempt, String function, List<TaskArg> args) {
  public ReadyTask {
    args = List.copyOf(args);
  }

  /** The record key: tasks of one graph spread over partitions, and a task's attempts stay together. */
  public String recordKey() {
    return graphId + "/" + taskKey;
  }
}
