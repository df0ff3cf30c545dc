package dev.weft.function;

/** A function together with the name it is registered under: what {@link FunctionRegistry#register} takes. */
public interface NamedFunction {
  String name();

  /** The body, or null for a descriptor of a function registered elsewhere (say, only in worker JVMs). */
  TaskFunction body();
}
