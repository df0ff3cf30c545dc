package dev.weft.testkit;

import dev.weft.function.Arity;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Functions for tests only: they fail, count their calls, kill their JVM or pollute its output. The module is on the
 * classpath of tests (and so of the worker JVMs that tests start), never of a production worker.
 */
public final class TestFunctions implements FunctionModule {
  @Override
  public String name() {
    return "test-functions";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register("fail", args -> {
      throw new IllegalStateException(args.length == 0 ? "failed on purpose" : String.valueOf(args[0]));
    });
    // fail-at-length(n): fails with a message of n characters and more, as a wrong-type error printing its argument.
    registry.register("fail-at-length", args -> {
      throw new IllegalStateException("a long failure: " + "x".repeat(((Number) args[0]).intValue()));
    });
    // flaky(counterFile, failures, value): fails while the file records fewer than `failures` calls, then returns
    // value. The count lives in a file so that it survives a retry on another thread, process or worker.
    registry.register("flaky", args -> {
      Arity.check("flaky", args, 3);
      Path counter = Path.of((String) args[0]);
      long calls = appendCall(counter);
      if (calls <= ((Number) args[1]).longValue()) {
        throw new IllegalStateException("flaky call " + calls + " fails on purpose");
      }
      return args[2];
    });
    // count(file, value): records the call in the file and returns value, so a test can tell how often a task ran.
    registry.register("count", args -> {
      Arity.check("count", args, 2);
      appendCall(Path.of((String) args[0]));
      return args[1];
    });
    // count-and-sleep(file, millis, value): records the call, sleeps, returns value: a task long enough to watch.
    registry.register("count-and-sleep", args -> {
      Arity.check("count-and-sleep", args, 3);
      appendCall(Path.of((String) args[0]));
      Thread.sleep(((Number) args[1]).longValue());
      return args[2];
    });
    // await-file(gate, timeoutMillis, value): returns value once the file exists (a test opens the gate).
    registry.register("await-file", args -> {
      Arity.check("await-file", args, 3);
      Path gate = Path.of((String) args[0]);
      long deadline = System.nanoTime() + ((Number) args[1]).longValue() * 1_000_000L;
      while (!Files.exists(gate)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("gate " + gate + " did not open in time");
        }
        Thread.sleep(10);
      }
      return args[2];
    });
    // exit(code): ends the JVM that runs it, as a task with a bug in native code or a stray System.exit would.
    registry.register("exit", args -> {
      Runtime.getRuntime().halt(((Number) args[0]).intValue());
      return null;
    });
    // oom(): allocates until the heap is exhausted.
    registry.register("oom", args -> {
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[1 << 20]);
      }
    });
    // noisy(value): prints to stdout and stderr, as careless tasks do, then returns value.
    registry.register("noisy", args -> {
      for (int i = 0; i < 100; i++) {
        System.out.println("noise from a task " + i + " \u0000\u00ff garbage");
        System.err.println("more noise " + i);
      }
      System.out.flush();
      return args.length == 0 ? null : args[0];
    });
    // pid(): the process id of the JVM that runs the task.
    registry.register("pid", args -> ProcessHandle.current().pid());
    // announce-and-sleep(file, millis): writes this JVM's pid to the file, then sleeps; a test can then kill the JVM
    // while it runs the task.
    registry.register("announce-and-sleep", args -> {
      Arity.check("announce-and-sleep", args, 2);
      Path file = Path.of((String) args[0]);
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      Files.writeString(partial, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
      Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(((Number) args[1]).longValue());
      return null;
    });
    // exit-once(counterFile, code, value): ends its JVM the first time, returns value after; with retries, the
    // graph completes on a fresh worker.
    registry.register("exit-once", args -> {
      Arity.check("exit-once", args, 3);
      if (appendCall(Path.of((String) args[0])) == 1) {
        Runtime.getRuntime().halt(((Number) args[1]).intValue());
      }
      return args[2];
    });
    // nested-sum(n): computes inc(0) + ... + inc(n - 1) as a graph of its own, from inside the task (a nested compute),
    // on a threads pool of two, and returns it: n(n + 1) / 2.
    registry.register("nested-sum", args -> Weft.compute(Shapes.wide(((Number) args[0]).intValue()),
        ComputeOptions.scheduler("threads").numWorkers(2)).get("sum"));
    // not-a-value(): returns an object no scheduler that encodes values can send.
    registry.register("not-a-value", args -> List.of(1L, new Object()));
  }

  /** Appends a line to the file and returns how many lines it now has. */
  private static synchronized long appendCall(Path file) throws IOException {
    Files.writeString(file, "call\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    try (var lines = Files.lines(file)) {
      return lines.count();
    }
  }

  /** How many times {@code count} or {@code flaky} was called with this file. */
  public static long calls(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (var lines = Files.lines(file)) {
      return lines.count();
    }
  }
}
