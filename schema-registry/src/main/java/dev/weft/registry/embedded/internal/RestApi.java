package dev.weft.registry.embedded.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.weft.registry.embedded.SchemaStoreException;
import dev.weft.registry.internal.UrlPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the registry: routes each request of the Confluent REST API to {@link RegistryService}, reads
 * bodies up to a limit, and writes JSON answers and Confluent-style error bodies ({"error_code": ..., "message": ...}).
 */
public final class RestApi implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(RestApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final RegistryService service;
  private final int maxRequestBytes;
  private final AtomicLong requests = new AtomicLong();

  /** An answer: JSON, or (for the .../schema endpoints) the schema text itself. */
  private record Answer(JsonNode json, String text) {
    static Answer of(JsonNode json) {
      return new Answer(json, null);
    }

    static Answer text(String text) {
      return new Answer(null, text);
    }
  }

  /** One request, parsed. */
  private record Request(String method, List<String> path, Map<String, String> query, HttpExchange exchange) {
    boolean flag(String name) {
      return "true".equalsIgnoreCase(query.get(name));
    }

    String segment(int index) {
      return path.get(index);
    }
  }

  public RestApi(RegistryService service, int maxRequestBytes) {
    this.service = service;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Requests received since start. */
  public long requestCount() {
    return requests.get();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      int status = 200;
      byte[] body;
      try {
        Answer answer = route(parse(exchange));
        body = answer.text != null ? answer.text.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(answer.json);
      } catch (RestError e) {
        status = e.status();
        body = errorBody(e.errorCode(), e.getMessage());
      } catch (SchemaStoreException e) {
        log.warn("Schema store failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        status = 500;
        body = errorBody(e.timedOut() ? 50002 : 50001, "Error in the backend data store: " + e.getMessage());
      } catch (RuntimeException e) {
        log.warn("Internal error on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        status = 500;
        body = errorBody(500, "Internal error: " + e);
      }
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private Request parse(HttpExchange exchange) {
    List<String> path = new ArrayList<>();
    Map<String, String> query = new HashMap<>();
    try {
      for (String segment : exchange.getRequestURI().getRawPath().split("/")) {
        if (!segment.isEmpty()) {
          path.add(UrlPaths.decode(segment));
        }
      }
      String rawQuery = exchange.getRequestURI().getRawQuery();
      if (rawQuery != null) {
        for (String pair : rawQuery.split("&")) {
          int equals = pair.indexOf('=');
          String name = equals < 0 ? pair : pair.substring(0, equals);
          query.put(UrlPaths.decode(name), equals < 0 ? "" : UrlPaths.decode(pair.substring(equals + 1)));
        }
      }
    } catch (IllegalArgumentException e) {
      throw RestError.badRequest("malformed URL: " + e.getMessage());
    }
    return new Request(exchange.getRequestMethod().toUpperCase(Locale.ROOT), path, query, exchange);
  }

  private Answer route(Request request) {
    List<String> path = request.path();
    String root = path.isEmpty() ? "" : path.get(0);
    switch (root) {
      case "":
        return only("GET", request, () -> Answer.of(JSON.createObjectNode()));
      case "subjects":
        return subjects(request);
      case "schemas":
        return schemas(request);
      case "compatibility":
        return compatibility(request);
      case "config":
        return config(request);
      case "mode":
        if (path.size() == 1) {
          return only("GET", request, () -> Answer.of(JSON.createObjectNode().put("mode", "READWRITE")));
        }
        throw RestError.notFound();
      default:
        throw RestError.notFound();
    }
  }

  private Answer subjects(Request request) {
    List<String> path = request.path();
    String method = request.method();
    if (path.size() == 1) {
      return only("GET", request, () -> Answer.of(service.subjects(request.flag("deleted"))));
    }
    String subject = request.segment(1);
    if (path.size() == 2) {
      if (method.equals("POST")) {
        return Answer.of(service.lookup(subject, body(request), request.flag("normalize"), request.flag("deleted")));
      }
      return only("DELETE", request, () -> Answer.of(service.deleteSubject(subject, request.flag("permanent"))));
    }
    if (!path.get(2).equals("versions") || path.size() > 5) {
      throw RestError.notFound();
    }
    if (path.size() == 3) {
      if (method.equals("POST")) {
        return Answer.of(service.register(subject, body(request), request.flag("normalize")));
      }
      return only("GET", request, () -> Answer.of(service.versions(subject, request.flag("deleted"))));
    }
    String version = request.segment(3);
    if (path.size() == 5) {
      if (!path.get(4).equals("schema")) {
        throw RestError.notFound();
      }
      return only("GET", request, () -> Answer.text(service.versionSchemaText(subject, version,
          request.flag("deleted"))));
    }
    if (method.equals("DELETE")) {
      return Answer.of(service.deleteVersion(subject, version, request.flag("permanent")));
    }
    return only("GET", request, () -> Answer.of(service.version(subject, version, request.flag("deleted"))));
  }

  private Answer schemas(Request request) {
    List<String> path = request.path();
    if (path.size() == 2 && path.get(1).equals("types")) {
      return only("GET", request, () -> Answer.of(JSON.createArrayNode().add("AVRO")));
    }
    if (path.size() < 3 || path.size() > 4 || !path.get(1).equals("ids")) {
      throw RestError.notFound();
    }
    int id;
    try {
      id = Integer.parseInt(path.get(2));
    } catch (NumberFormatException e) {
      throw RestError.notFound();
    }
    String detail = path.size() == 4 ? path.get(3) : "";
    switch (detail) {
      case "":
        return only("GET", request, () -> Answer.of(service.schemaById(id)));
      case "schema":
        return only("GET", request, () -> Answer.text(service.schemaText(id)));
      case "subjects":
        return only("GET", request, () -> Answer.of(service.subjectsOf(id, request.flag("deleted"))));
      case "versions":
        return only("GET", request, () -> Answer.of(service.versionsOf(id, request.flag("deleted"))));
      default:
        throw RestError.notFound();
    }
  }

  private Answer compatibility(Request request) {
    List<String> path = request.path();
    if (path.size() < 4 || path.size() > 5 || !path.get(1).equals("subjects") || !path.get(3).equals("versions")) {
      throw RestError.notFound();
    }
    String version = path.size() == 5 ? path.get(4) : null;
    return only("POST", request, () -> Answer.of(service.testCompatibility(request.segment(2), version,
        body(request), request.flag("verbose"))));
  }

  private Answer config(Request request) {
    List<String> path = request.path();
    String method = request.method();
    if (path.size() == 1) {
      switch (method) {
        case "GET":
          return Answer.of(service.globalConfig());
        case "PUT":
          return Answer.of(service.setGlobalConfig(body(request)));
        case "DELETE":
          return Answer.of(service.deleteGlobalConfig());
        default:
          throw RestError.methodNotAllowed();
      }
    }
    if (path.size() != 2) {
      throw RestError.notFound();
    }
    String subject = request.segment(1);
    switch (method) {
      case "GET":
        return Answer.of(service.subjectConfig(subject, request.flag("defaultToGlobal")));
      case "PUT":
        return Answer.of(service.setSubjectConfig(subject, body(request)));
      case "DELETE":
        return Answer.of(service.deleteSubjectConfig(subject));
      default:
        throw RestError.methodNotAllowed();
    }
  }

  private static Answer only(String method, Request request, Supplier<Answer> handler) {
    if (!request.method().equals(method)) {
      throw RestError.methodNotAllowed();
    }
    return handler.get();
  }

  /** The request's JSON body, read up to the limit: a larger one is refused before it is buffered whole. */
  private JsonNode body(Request request) {
    HttpExchange exchange = request.exchange();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxRequestBytes) {
          throw RestError.tooLarge(maxRequestBytes);
        }
      } catch (NumberFormatException e) {
        throw RestError.badRequest("malformed Content-Length: " + declared);
      }
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(maxRequestBytes + 1);
    } catch (IOException e) {
      throw RestError.badRequest("cannot read the request body: " + e.getMessage());
    }
    if (bytes.length > maxRequestBytes) {
      throw RestError.tooLarge(maxRequestBytes);
    }
    if (bytes.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw RestError.badRequest("the request body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw RestError.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  private static byte[] errorBody(int errorCode, String message) {
    try {
      return JSON.writeValueAsBytes(JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
