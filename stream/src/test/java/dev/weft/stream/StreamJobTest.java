package dev.weft.stream;

import static dev.weft.stream.StreamCluster.header;
import static dev.weft.stream.StreamCluster.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.codec.GraphJson;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.registry.serde.AvroSerializer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Stream jobs on the real embedded broker, with a scheduler and a worker in this JVM. */
@WithKafka
class StreamJobTest {
  /** The name in a JSON record, upper-cased: fails for a record without a name. */
  static final String TEMPLATE = """
      {"outputs": ["upper"],
       "tasks": {
         "name": ["getitem", {"record": "value"}, "name"],
         "upper": ["upper", {"ref": "name"}]}}""";

  static StreamJob job(String name, String input, String output) {
    return StreamJob.of(name, GraphJson.read(TEMPLATE), input, Map.of())
        .withOutputs(Map.of("upper", new StreamJob.Output(output, Format.STRING)));
  }

  static List<String[]> names(int from, int to) {
    List<String[]> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      records.add(new String[] {"k" + (i % 7), "{\"id\": " + i + ", \"name\": \"user-" + i + "\"}"});
    }
    return records;
  }

  /** Output values per partition, in order. */
  static Map<Integer, List<String>> byPartition(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<Integer, List<String>> values = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      values.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(text(record.value()));
    }
    return values;
  }

  @Test
  void everyRecordsOutputIsWrittenOnceInInputOrderAndBadRecordsBecomeDeadLetters(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = job(cluster.topic("job"), input, output).withBatching(50, 5, 4);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        List<String[]> records = new ArrayList<>(names(0, 500));
        records.add(250, new String[] {"k1", "not json"});
        records.add(300, new String[] {"k2", "{\"id\": -1}"}); // no name: the template's task 'name' fails
        cluster.produce(input, records);
        List<ConsumerRecord<byte[], byte[]>> outputs = cluster.readCommitted(output, 500, Duration.ofMinutes(2));
        assertEquals(500, outputs.size(), "one output per good record");
        // Each key's records stay in one partition, in order; so do their outputs.
        Map<String, List<Integer>> idsByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : outputs) {
          assertEquals("upper", header(record, "weft.output"));
          int id = Integer.parseInt(text(record.value()).substring("USER-".length()));
          idsByKey.computeIfAbsent(text(record.key()), k -> new ArrayList<>()).add(id);
        }
        idsByKey.forEach((key, ids) -> assertEquals(ids.stream().sorted().toList(), ids, key + " out of order"));
        assertEquals(500, idsByKey.values().stream().mapToLong(List::size).sum());

        List<ConsumerRecord<byte[], byte[]>> dead = cluster.readCommitted(job.deadLetters(), 2,
            Duration.ofSeconds(30));
        assertEquals(2, dead.size());
        ConsumerRecord<byte[], byte[]> notJson = dead.stream()
            .filter(record -> "not json".equals(text(record.value()))).findFirst().orElseThrow();
        assertEquals("decode", header(notJson, "weft.task"));
        assertEquals(input, header(notJson, "weft.input.topic"));
        assertTrue(header(notJson, "weft.error").contains("not JSON"), header(notJson, "weft.error"));
        ConsumerRecord<byte[], byte[]> noName = dead.stream()
            .filter(record -> text(record.value()).contains("-1")).findFirst().orElseThrow();
        assertEquals("name", header(noName, "weft.task"));
        assertTrue(header(noName, "weft.error").contains("no key name"), header(noName, "weft.error"));
        assertEquals(Long.toString(noName.offset() >= 0 ? Long.parseLong(header(noName, "weft.input.offset")) : -1),
            header(noName, "weft.input.offset"));

        JobStatus status = awaitStatus(jobs, job.name(), s -> s.recordsOut() >= 500);
        assertEquals(2, status.deadLetters());
        assertEquals(0, status.lag());
      }
    }
  }

  /** Avro in and out through the registry, in Confluent's wire format; the same value as JSON beside it. */
  @Test
  void avroRecordsAreReadAndWrittenThroughTheSchemaRegistry(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("orders");
      String avroOut = cluster.topic("orders-avro");
      String jsonOut = cluster.topic("orders-json");
      Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Order\", \"namespace\": "
          + "\"dev.weft.test\", \"fields\": [{\"name\": \"id\", \"type\": \"long\"}, "
          + "{\"name\": \"item\", \"type\": \"string\"}]}");
      StreamJob job = StreamJob.of(cluster.topic("job"), GraphJson.read(
              "{\"tasks\": {\"same\": [\"identity\", {\"record\": \"value\"}], "
                  + "\"copy\": [\"identity\", {\"record\": \"value\"}]}}"), input, Map.of())
          .withInputs(List.of(new StreamJob.Input(input, Format.STRING, Format.AVRO)))
          .withOutputs(Map.of("same", new StreamJob.Output(avroOut, Format.AVRO),
              "copy", new StreamJob.Output(jsonOut, Format.JSON)));
      Map<String, Object> serde = Map.of("schema.registry.url", cluster.connection().get("schema.registry.url"));
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection());
           AvroSerializer serializer = new AvroSerializer();
           AvroDeserializer deserializer = new AvroDeserializer()) {
        serializer.configure(serde, false);
        deserializer.configure(serde, false);
        jobs.start(job, FunctionRegistry.global());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(kafka.clientProperties(),
            new StringSerializer(), serializer)) {
          for (long id = 0; id < 10; id++) {
            GenericRecord order = new GenericData.Record(schema);
            order.put("id", id);
            order.put("item", "item-" + id);
            producer.send(new ProducerRecord<>(input, "k", order));
          }
        }
        List<ConsumerRecord<byte[], byte[]>> avro = cluster.readCommitted(avroOut, 10, Duration.ofMinutes(1));
        assertEquals(10, avro.size());
        for (int i = 0; i < 10; i++) {
          GenericRecord order = (GenericRecord) deserializer.deserialize(avroOut, avro.get(i).value());
          assertEquals((long) i, order.get("id"));
          assertEquals("item-" + i, order.get("item").toString());
        }
        List<ConsumerRecord<byte[], byte[]>> json = cluster.readCommitted(jsonOut, 10, Duration.ofMinutes(1));
        assertTrue(text(json.get(3).value()).contains("\"item-3\""), text(json.get(3).value()));
      }
    }
  }

  @Test
  void aStoppedJobStartedAgainResumesWhereItWas(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = job(cluster.topic("job"), input, output);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        cluster.produce(input, names(0, 100));
        assertEquals(100, cluster.readCommitted(output, 100, Duration.ofMinutes(1)).size());
        jobs.stop(job.name());
        assertTrue(jobs.job(job.name()).isEmpty());
        cluster.produce(input, names(100, 200));
        jobs.start(job, FunctionRegistry.global());
        List<ConsumerRecord<byte[], byte[]>> outputs = cluster.readCommitted(output, 200, Duration.ofMinutes(1));
        assertEquals(200, outputs.size(), "each record once: none read again, none lost");
        assertEquals(200, outputs.stream().map(record -> text(record.value())).distinct().count());
      }
    }
  }

  @Test
  void aPausedJobLeavesItsRecordsInKafkaUntilResumed(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = job(cluster.topic("job"), input, output).withGuarantee(Guarantee.AT_LEAST_ONCE);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        cluster.produce(input, names(0, 20));
        assertEquals(20, cluster.readCommitted(output, 20, Duration.ofMinutes(1)).size());
        jobs.pause(job.name());
        assertEquals(JobState.PAUSED, jobs.job(job.name()).orElseThrow().state());
        awaitStatus(jobs, job.name(), s -> s.instances().isEmpty());
        cluster.produce(input, names(20, 40));
        assertEquals(20, cluster.readCommitted(output, 21, Duration.ofSeconds(2)).size(), "paused: nothing more");
        jobs.resume(job.name());
        assertEquals(40, cluster.readCommitted(output, 40, Duration.ofMinutes(1)).size());
      }
    }
  }

  /**
   * Backpressure: a slow job holds at most its batches in flight and the batch being filled per partition; the rest
   * of its input waits in Kafka, as lag.
   */
  @Test
  void aSlowJobShowsAsLagNotAsRecordsHeld(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("slow");
      StreamJob job = StreamJob.of(cluster.topic("job"), GraphJson.read(
              "{\"tasks\": {\"slow\": [\"sleep\", 20, {\"record\": \"offset\"}]}}"), input, Map.of())
          .withOutputs(Map.of("slow", new StreamJob.Output(output, Format.STRING))).withBatching(10, 5, 2);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        cluster.produce(input, names(0, 2_000));
        JobStatus status = awaitStatus(jobs, job.name(), s -> s.recordsOut() >= 50 && s.lag() > 1_000);
        // Per partition: 2 batches in flight, one waiting, one being filled, and what one poll brought (2 batches).
        long bound = 4 * (2 + 1 + 1 + 2) * 10;
        long pending = status.instances().get(0).pending();
        assertTrue(pending <= bound, pending + " records held, over " + bound);
        assertTrue(status.lag() + status.recordsOut() + pending >= 2_000, status.toString());
      }
    }
  }

  @Test
  void anInvalidTemplateIsRefusedNamingTheProblem(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka);
         StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
      String bad = """
          {"tasks": {"name": ["getitem", {"record": "body"}, "name"], "upper": ["uppercase", {"ref": "name"}]}}""";
      StreamJob job = StreamJob.of(cluster.topic("job"), GraphJson.read(bad), cluster.topic("in"),
          Map.of("shout", cluster.topic("out")));
      GraphValidationException refused = assertThrows(GraphValidationException.class,
          () -> jobs.start(job, FunctionRegistry.global()));
      assertTrue(refused.getMessage().contains("'record.body', which is not a field of a record"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("uppercase"), refused.getMessage());
      assertTrue(refused.getMessage().contains("output 'shout' is not a key of the template"), refused.getMessage());
      assertTrue(jobs.job(job.name()).isEmpty(), "nothing was started");
    }
  }

  static JobStatus awaitStatus(StreamJobs jobs, String name, java.util.function.Predicate<JobStatus> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    JobStatus last = null;
    while (System.nanoTime() < deadline) {
      for (JobStatus status : jobs.list()) {
        if (status.job().name().equals(name)) {
          last = status;
          if (condition.test(status)) {
            return status;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + name + " never met the condition; last status: " + last);
  }
}
