package dev.weft.connectors.kafka;

import dev.weft.function.FnN;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.NamedFunction;
import dev.weft.function.Signature;
import dev.weft.function.ValueType;
import java.util.List;
import java.util.Map;

/**
 * The functions that read and write Kafka topics, which the tasks of {@link TopicSource} and {@link TopicSink} call.
 * Their names and arguments are stable: graphs saved or sent to workers name them.
 *
 * <ul>
 *   <li>{@value #READ}{@code (connection: map, topic: string, partition: long, from: long, to: long, format: string)
 *       -> list}: the values of the records of a partition from offset {@code from} (included) to {@code to}
 *       (excluded).
 *   <li>{@value #WRITE}{@code (connection: map, topic: string, format: string, items: list) -> long}: writes the
 *       items as record values; returns how many it wrote.
 *   <li>{@value #WRITE_AVRO}{@code (connection: map, topic: string, schema: string, items: list) -> long}: the same
 *       in avro, with map items written as records of the record schema given as JSON.
 * </ul>
 *
 * <p>Formats are named as in {@link TopicFormat#label()}; the connection is checked as {@link TopicConnection} says, in
 * the worker as well, since a graph need not come from {@link KafkaTopics}.
 */
public final class TopicFunctions implements FunctionModule {
  public static final String READ = "weft.kafka.read";
  public static final String WRITE = "weft.kafka.write";
  public static final String WRITE_AVRO = "weft.kafka.write_avro";

  private static final FnN<List<Object>> READ_FUNCTION = FnN.of(READ,
      Signature.of(ValueType.LIST, ValueType.MAP, ValueType.STRING, ValueType.LONG, ValueType.LONG, ValueType.LONG,
          ValueType.STRING),
      args -> PartitionReader.read(map(args[0]), (String) args[1], (Long) args[2], (Long) args[3], (Long) args[4],
          (String) args[5]));

  private static final FnN<Long> WRITE_FUNCTION = FnN.of(WRITE,
      Signature.of(ValueType.LONG, ValueType.MAP, ValueType.STRING, ValueType.STRING, ValueType.LIST),
      args -> TopicWriter.write(map(args[0]), (String) args[1], TopicFormat.of((String) args[2]), null,
          (List<?>) args[3]));

  private static final FnN<Long> WRITE_AVRO_FUNCTION = FnN.of(WRITE_AVRO,
      Signature.of(ValueType.LONG, ValueType.MAP, ValueType.STRING, ValueType.STRING, ValueType.LIST),
      args -> TopicWriter.write(map(args[0]), (String) args[1], TopicFormat.AVRO, (String) args[2],
          (List<?>) args[3]));

  private static final List<NamedFunction> ALL = List.of(READ_FUNCTION, WRITE_FUNCTION, WRITE_AVRO_FUNCTION);

  @Override
  public String name() {
    return "kafka-topics";
  }

  @Override
  public void register(FunctionRegistry registry) {
    ALL.forEach(registry::register);
  }

  @SuppressWarnings("unchecked") // the signature checked it is a map, and Weft maps have string keys
  private static Map<String, ?> map(Object connection) {
    return (Map<String, ?>) connection;
  }
}
