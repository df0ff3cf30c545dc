package dev.weft.scheduler;

import dev.weft.graph.Graph;
import java.util.List;

/**
 * A compute as callbacks see it.
 *
 * @param graph the graph as submitted
 * @param keys the keys asked for
 * @param scheduler the name of the scheduler running it
 * @param taskCount how many tasks run: those the keys need
 */
public record GraphRun(Graph graph, List<String> keys, String scheduler, int taskCount) {}
