package dev.weft.function;

/** A function together with the name it is registered under: what {@link FunctionRegistry#register} takes. */
public interface NamedFunction {
  String name();

  /** The body, or null for a descriptor of a function registered elsewhere (say, only in worker JVMs). */
  TaskFunction body();

  /** What {@link #arity()} says of a function that takes any number of arguments. */
  int ANY_ARITY = -1;

  /** What it takes and returns: a graph that gives it other arguments is refused before it runs. */
  default Signature signature() {
    return Signature.ANY;
  }

  /** How many arguments the function takes, or {@link #ANY_ARITY}. */
  default int arity() {
    return signature().arity();
  }
}
