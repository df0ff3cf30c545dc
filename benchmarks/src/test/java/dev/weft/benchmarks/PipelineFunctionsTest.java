package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.function.FunctionRegistry;
import dev.weft.value.ValueCodec;
import dev.weft.value.Values;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class PipelineFunctionsTest {
  private static final String JSON =
      "{\"id\": 17, \"name\": \"user-17\", \"amount\": 100.0, \"country\": \"FR\", \"ts\": 1700000000000}";

  @Test
  void parseGivesWeftValues() {
    Map<String, Object> record = PipelineFunctions.parse(JSON);
    assertEquals(Map.of("id", 17L, "name", "user-17", "amount", 100.0, "country", "FR", "ts", 1700000000000L),
        record);
    assertSame(record, Values.canonical(record), "already canonical: nothing to convert");
  }

  @Test
  void enrichScoresByCountryWithoutChangingItsArgument() {
    Map<String, Object> record = PipelineFunctions.parse(JSON);
    Map<String, Object> enriched = PipelineFunctions.enrich(record);
    assertEquals(120.0, enriched.get("score"));
    assertEquals("gold", enriched.get("tier"));
    assertFalse(record.containsKey("score"));

    Map<String, Object> unknownCountry = PipelineFunctions.enrich(Map.of("id", 1L, "amount", 80.0, "country", "ZZ"));
    assertEquals(80.0, unknownCountry.get("score"));
    assertEquals("base", unknownCountry.get("tier"));
  }

  @Test
  void pickMakesAScoredRecordThatIsAWeftValue() {
    GenericRecord scored = PipelineFunctions.pick(PipelineFunctions.enrich(PipelineFunctions.parse(JSON)));
    assertEquals(PipelineFunctions.SCORED, scored.getSchema());
    assertEquals(17L, scored.get("id"));
    assertEquals(120.0, scored.get("score"));
    ValueCodec codec = new ValueCodec();
    assertEquals(scored.toString(), codec.decode(codec.encode(scored)).toString());
  }

  @Test
  void theModuleIsFoundOnTheClassPathAndRunsThePipeline() throws Exception {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(getClass().getClassLoader());
    assertEquals("bench-pipeline", registry.moduleOf("bench.parse"));
    Object parsed = registry.require("bench.parse").apply(JSON);
    Object enriched = registry.require("bench.enrich").apply(parsed);
    Object scored = registry.require("bench.pick").apply(enriched);
    assertEquals(120.0, assertInstanceOf(GenericRecord.class, scored).get("score"));
  }

  @Test
  void generatedInputParses() {
    Map<String, Object> record = PipelineFunctions.parse(StreamLoad.inputJson(42, 1234L));
    assertEquals(42L, record.get("id"));
    assertEquals(1234L, record.get("ts"));
    assertInstanceOf(Double.class, record.get("amount"));
  }

  @Test
  void percentileIsTheNearestRank() {
    double[] values = {5, 1, 4, 2, 3, 6, 7, 8, 9, 10};
    assertEquals(5, StreamLoad.percentile(values, 0.50));
    assertEquals(10, StreamLoad.percentile(values, 0.99));
    assertEquals(1, StreamLoad.percentile(values, 0.0));
    assertEquals(10, StreamLoad.percentile(values, 1.0));
  }
}
