package dev.weft.registry;

import org.apache.avro.Schema;

/** Schemas of an evolving "Order" record, and others, shared by the tests. */
public final class TestSchemas {
  /** Version 1: id and amount. */
  public static final String ORDER_V1 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"dev.weft.test\","
      + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"long\"}]}";

  /** Version 2: adds a field with a default, so it reads version 1 (backward) and version 1 reads it (forward). */
  public static final String ORDER_V2 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"dev.weft.test\","
      + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"long\"},"
      + "{\"name\":\"currency\",\"type\":\"string\",\"default\":\"EUR\"}]}";

  /** Adds a field without a default: cannot read version 1 data, so BACKWARD refuses it. */
  public static final String ORDER_BREAKING = "{\"type\":\"record\",\"name\":\"Order\","
      + "\"namespace\":\"dev.weft.test\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"amount\",\"type\":\"long\"},{\"name\":\"customer\",\"type\":\"string\"}]}";

  private TestSchemas() {}

  public static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  public static Schema orderV1() {
    return parse(ORDER_V1);
  }

  public static Schema orderV2() {
    return parse(ORDER_V2);
  }

  public static Schema orderBreaking() {
    return parse(ORDER_BREAKING);
  }

  /** A record schema with one long field, distinct for each {@code name}. */
  public static Schema named(String name) {
    return parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"value\",\"type\":\"long\"}]}");
  }
}
