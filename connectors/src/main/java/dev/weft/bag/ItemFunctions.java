package dev.weft.bag;

import dev.weft.connectors.Words;
import dev.weft.function.Fn1;
import dev.weft.function.Fn2;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.NamedFunction;
import dev.weft.function.Signature;
import dev.weft.function.ValueType;
import dev.weft.function.builtin.BuiltinFunctions;
import java.util.ArrayList;
import java.util.List;

/**
 * Registered functions for the common steps of a bag, usable on every scheduler:
 * {@code bag.flatMap(ItemFunctions.SPLIT_WORDS).map(ItemFunctions.LOWER)}. With those of Weft's other modules that
 * fit a bag ({@code parse-json}, {@code getitem}, {@code lower}, {@code upper}).
 */
public final class ItemFunctions implements FunctionModule {
  /** The words of a text: the runs of characters between whitespace, none empty ({@link Words}). */
  public static final Fn1<String, List<String>> SPLIT_WORDS = Fn1.of("split-words",
      Signature.of(ValueType.LIST, ValueType.STRING), Words::split);
  /** The parts of a text between occurrences of a separator, empty ones kept, as Python's {@code str.split(sep)}. */
  public static final Fn2<String, String, List<String>> SPLIT = Fn2.of("split",
      Signature.of(ValueType.LIST, ValueType.STRING, ValueType.STRING), ItemFunctions::split);
  /** A text without its leading and trailing whitespace. */
  public static final Fn1<String, String> STRIP = Fn1.of("strip", String.class, String.class, String::strip);
  /** A text parsed as JSON: objects become maps, arrays lists, integers longs. */
  public static final NamedFunction PARSE_JSON = Fn1.named("parse-json");
  /** An item's value at a key (a map or record) or index (a list): {@code map(GETITEM, "name")}. */
  public static final NamedFunction GETITEM = BuiltinFunctions.GETITEM;
  public static final NamedFunction LOWER = BuiltinFunctions.LOWER;
  public static final NamedFunction UPPER = BuiltinFunctions.UPPER;

  @Override
  public String name() {
    return "bag-items";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(SPLIT_WORDS);
    registry.register(SPLIT);
    registry.register(STRIP);
  }

  private static List<String> split(String text, String separator) {
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("split: empty separator");
    }
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, from)) {
      parts.add(text.substring(from, at));
      from = at + separator.length();
    }
    parts.add(text.substring(from));
    return parts;
  }
}
