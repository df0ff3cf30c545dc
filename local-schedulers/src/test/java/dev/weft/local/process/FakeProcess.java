package dev.weft.local.process;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker process that a test ends when it likes, from its own thread, as the JDK's process reaper ends a real one:
 * what the pool chains to {@link #onExit()} without an executor runs on the thread that calls {@link #exit}.
 */
final class FakeProcess extends Process {
  private final long pid;
  private final byte[] output;
  private final CompletableFuture<Process> exited = new CompletableFuture<>();
  private volatile int exitCode;
  /** The threads that waited for this process to exit, in order. */
  final List<Thread> waiters = new CopyOnWriteArrayList<>();

  FakeProcess(long pid, String output) {
    this.pid = pid;
    this.output = output.getBytes(StandardCharsets.UTF_8);
  }

  /** Ends the process, running on this thread whatever waits for it synchronously. */
  void exit(int code) {
    exitCode = code;
    exited.complete(this);
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public InputStream getErrorStream() {
    return new ByteArrayInputStream(output);
  }

  @Override
  public int waitFor() throws InterruptedException {
    waiters.add(Thread.currentThread());
    try {
      exited.get();
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
    return exitCode;
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    waiters.add(Thread.currentThread());
    try {
      exited.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public int exitValue() {
    if (!exited.isDone()) {
      throw new IllegalThreadStateException("still running");
    }
    return exitCode;
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exited;
  }

  @Override
  public boolean isAlive() {
    return !exited.isDone();
  }

  @Override
  public void destroy() {
    exit(128 + 15);
  }

  @Override
  public Process destroyForcibly() {
    exit(128 + 9);
    return this;
  }
}
