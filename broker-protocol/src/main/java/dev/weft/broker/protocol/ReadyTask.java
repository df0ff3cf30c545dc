package dev.weft.broker.protocol;

import java.util.List;

/**
 * A record of a tasks topic: a task whose inputs are all available, for a worker to run.
 *
 * @param graphPartition the partition its graph was read from, where its result goes (a scheduler reads the results of
 *     a graph in the partition of the graph's number); -1 if the scheduler did not say
 */
public record ReadyTask(String graphId, String taskKey, int attempt, String function, List<TaskArg> args,
    int graphPartition) {
  public ReadyTask {
    args = List.copyOf(args);
  }

  /** The record key: tasks of one graph spread over partitions, and a task's attempts stay together. */
  public String recordKey() {
    return graphId + "/" + taskKey;
  }
}
