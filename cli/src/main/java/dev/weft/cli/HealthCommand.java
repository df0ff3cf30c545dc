package dev.weft.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code weft health URL}: the health check of a container. The Weft image is a JRE without curl or wget, so compose
 * and Kubernetes run this instead; its exit status is what they read, its one line what {@code docker inspect} shows.
 */
@Command(name = "health", description = "GET a URL (a service's /health) and exit 0 if it answers 200, else 1 with"
    + " the reason in one line: the health check of the Weft image, which has no curl.")
final class HealthCommand implements Callable<Integer> {
  /** Longest part of an answer's body that the reason quotes: a health check's output is kept by Docker. */
  static final int MAX_BODY_CHARS = 200;

  @Parameters(paramLabel = "URL", description = "An http:// or https:// URL, such as http://127.0.0.1:8787/health.")
  URI url;

  @Option(names = "--timeout", defaultValue = "PT3S", paramLabel = "DURATION",
      description = "How long to wait for the connection and for the answer, each (ISO-8601; default: "
          + "${DEFAULT-VALUE}).")
  Duration timeout;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    String scheme = url.getScheme();
    if (url.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "weft health needs an http:// or https:// URL with a host, not '" + url + "'");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpResponse<String> answer;
    try {
      answer = http.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      return unhealthy("no answer from " + url + " within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return unhealthy("cannot reach " + url + ": " + e);
    }
    if (answer.statusCode() == 200) {
      spec.commandLine().getOut().println("healthy: " + url + " answered 200");
      return Main.OK;
    }
    return unhealthy(url + " answered " + answer.statusCode() + oneLine(answer.body()));
  }

  private int unhealthy(String reason) {
    spec.commandLine().getErr().println("weft health: " + reason);
    return Main.FAILED;
  }

  /** The body as a short suffix on one line: what a 503 says about itself is the useful part of the reason. */
  static String oneLine(String body) {
    String flat = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    if (flat.isEmpty()) {
      return "";
    }
    return ": " + (flat.length() <= MAX_BODY_CHARS ? flat : flat.substring(0, MAX_BODY_CHARS) + "...");
  }
}
