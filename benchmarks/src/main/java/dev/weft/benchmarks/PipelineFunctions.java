package dev.weft.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.weft.function.Fn1;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.Signature;
import dev.weft.function.ValueType;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The three steps of {@link StreamBenchmark}'s pipeline, as plain static methods so that both sides run the same code:
 * Kafka Streams calls them in {@code mapValues}, a Weft stream job calls them as the functions {@code bench.parse},
 * {@code bench.enrich} and {@code bench.pick} of this module ("bench-pipeline", listed in
 * {@code META-INF/services/dev.weft.function.FunctionModule}).
 *
 * <p>Between the steps a record is a Weft value: a map with string keys and Long, Double or String values; the last
 * step makes an Avro record (an {@code IndexedRecord}, which is a Weft value too).
 */
public final class PipelineFunctions implements FunctionModule {
  /** What {@link #pick} makes: the output records' schema, registered under the output topic's subject. */
  public static final Schema SCORED = new Schema.Parser().parse("""
      {"type": "record", "name": "Scored", "namespace": "dev.weft.benchmarks", "fields": [
        {"name": "id", "type": "long"},
        {"name": "score", "type": "double"}
      ]}""");

  /** {@code bench.parse(json)}: see {@link #parse}. */
  public static final Fn1<String, Map<String, Object>> PARSE = Fn1.of("bench.parse",
      Signature.of(ValueType.MAP, ValueType.STRING), PipelineFunctions::parse);
  /** {@code bench.enrich(record)}: see {@link #enrich}. */
  public static final Fn1<Map<String, Object>, Map<String, Object>> ENRICH = Fn1.of("bench.enrich",
      Signature.of(ValueType.MAP, ValueType.MAP), PipelineFunctions::enrich);
  /** {@code bench.pick(record)}: see {@link #pick}. */
  public static final Fn1<Map<String, Object>, GenericRecord> PICK = Fn1.of("bench.pick",
      Signature.of(ValueType.RECORD, ValueType.MAP), PipelineFunctions::pick);

  /** Above this score a record is "gold". */
  static final double GOLD_SCORE = 100;

  /** Whole numbers as Long, as Weft values have them (Jackson would give Integer for small ones). */
  private static final ObjectReader JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .build()
      .readerFor(Map.class);

  private static final Map<String, Double> RATES = Map.of("FR", 1.2, "DE", 1.1, "GB", 1.3, "US", 1.5, "JP", 1.4,
      "BR", 0.8, "IN", 0.7, "NG", 0.6);

  /** For {@link java.util.ServiceLoader}; the steps themselves are static. */
  public PipelineFunctions() {}

  @Override
  public String name() {
    return "bench-pipeline";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(PARSE);
    registry.register(ENRICH);
    registry.register(PICK);
  }

  /**
   * A JSON object such as {@code {"id": 17, "name": "user-17", "amount": 12.5, "country": "FR", "ts": 1700000000000}}
   * as a map: whole numbers as Long, fractions as Double.
   *
   * @throws UncheckedIOException if the text is not a JSON object
   */
  public static Map<String, Object> parse(String json) {
    try {
      return JSON.readValue(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not a JSON object: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A copy of the record with {@code score} = amount times its country's rate (1.0 for a country not in the table) and
   * {@code tier} = "gold" above a score of 100, else "base". The record given is not changed.
   */
  public static Map<String, Object> enrich(Map<String, Object> record) {
    double amount = ((Number) record.get("amount")).doubleValue();
    double score = amount * RATES.getOrDefault((String) record.get("country"), 1.0);
    Map<String, Object> enriched = new LinkedHashMap<>(record);
    enriched.put("score", score);
    enriched.put("tier", score > GOLD_SCORE ? "gold" : "base");
    return enriched;
  }

  /** The record's id and score as a {@link #SCORED} Avro record. */
  public static GenericRecord pick(Map<String, Object> record) {
    GenericRecord scored = new GenericData.Record(SCORED);
    scored.put("id", ((Number) record.get("id")).longValue());
    scored.put("score", ((Number) record.get("score")).doubleValue());
    return scored;
  }
}
