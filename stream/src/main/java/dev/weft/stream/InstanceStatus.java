package dev.weft.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scheduler instance reports of a job it runs, every {@link StreamConfig#STATUS_INTERVAL_MS}: the record of
 * the stream status topic, keyed {@code job/instance}.
 *
 * @param partitions the input partitions it reads, as {@code topic-partition}
 * @param recordsIn records read since it started the job
 * @param recordsOut output records committed since it started the job
 * @param deadLetters records sent to the dead-letter topic since it started the job
 * @param pending records read and not yet committed: bounded by the job's batching, whatever the lag
 * @param inPerSecond records read per second over the last interval
 * @param outPerSecond output records committed per second over the last interval
 * @param lag records not yet read, per partition
 * @param latencyP50Ms median of input timestamp to commit, over the last interval
 * @param latencyP99Ms 99th percentile of the same
 * @param updatedMs when it was published
 * @param error what stopped the job on this instance last, or null
 */
public record InstanceStatus(String job, String instance, List<String> partitions, long recordsIn, long recordsOut,
    long deadLetters, long pending, double inPerSecond, double outPerSecond, Map<String, Long> lag, long latencyP50Ms,
    long latencyP99Ms, long updatedMs, String error) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("job", job).put("instance", instance);
    partitions.forEach(root.putArray("partitions")::add);
    root.put("recordsIn", recordsIn).put("recordsOut", recordsOut).put("deadLetters", deadLetters).put("pending", pending)
        .put("inPerSecond", inPerSecond).put("outPerSecond", outPerSecond);
    ObjectNode lagNode = root.putObject("lag");
    lag.forEach(lagNode::put);
    root.putObject("latencyMs").put("p50", latencyP50Ms).put("p99", latencyP99Ms);
    root.put("updated", updatedMs);
    root.put("error", error);
    return root.toString();
  }

  /** @throws IllegalArgumentException when {@code json} is not a status */
  public static InstanceStatus fromJson(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      List<String> partitions = new ArrayList<>();
      root.path("partitions").forEach(node -> partitions.add(node.asText()));
      Map<String, Long> lag = new LinkedHashMap<>();
      root.path("lag").properties().forEach(entry -> lag.put(entry.getKey(), entry.getValue().asLong()));
      return new InstanceStatus(root.path("job").asText(), root.path("instance").asText(), partitions,
          root.path("recordsIn").asLong(), root.path("recordsOut").asLong(), root.path("deadLetters").asLong(), root.path("pending").asLong(),
          root.path("inPerSecond").asDouble(), root.path("outPerSecond").asDouble(), lag,
          root.path("latencyMs").path("p50").asLong(), root.path("latencyMs").path("p99").asLong(),
          root.path("updated").asLong(), root.path("error").isTextual() ? root.path("error").asText() : null);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not a stream status: " + e.getMessage(), e);
    }
  }
}
