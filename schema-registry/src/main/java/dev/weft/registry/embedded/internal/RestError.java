package dev.weft.registry.embedded.internal;

import java.util.List;

/** An error answer of the REST API: HTTP status, Confluent's error code, message. */
public final class RestError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final int errorCode;

  public RestError(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  static RestError subjectNotFound(String subject) {
    return new RestError(404, 40401, "Subject '" + subject + "' not found.");
  }

  static RestError versionNotFound(Object version) {
    return new RestError(404, 40402, "Version " + version + " not found.");
  }

  static RestError schemaNotFound() {
    return new RestError(404, 40403, "Schema not found");
  }

  static RestError schemaNotFound(int id) {
    return new RestError(404, 40403, "Schema " + id + " not found");
  }

  static RestError subjectSoftDeleted(String subject) {
    return new RestError(404, 40404, "Subject '" + subject + "' was soft deleted. Set permanent=true to delete"
        + " permanently");
  }

  static RestError subjectNotSoftDeleted(String subject) {
    return new RestError(404, 40405, "Subject '" + subject + "' was not deleted first before being permanently"
        + " deleted");
  }

  static RestError versionSoftDeleted(String subject, int version) {
    return new RestError(404, 40406, "Subject '" + subject + "' Version " + version + " was soft deleted. Set"
        + " permanent=true to delete permanently");
  }

  static RestError versionNotSoftDeleted(String subject, int version) {
    return new RestError(404, 40407, "Subject '" + subject + "' Version " + version + " was not deleted first"
        + " before being permanently deleted");
  }

  static RestError subjectCompatibilityNotConfigured(String subject) {
    return new RestError(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility"
        + " configured");
  }

  static RestError incompatible(String subject, List<String> details) {
    return new RestError(409, 40901, "Schema being registered is incompatible with an earlier schema for subject \""
        + subject + "\", details: " + details);
  }

  static RestError invalidSchema(String reason) {
    return new RestError(422, 42201, "Invalid schema: " + reason);
  }

  static RestError invalidVersion(String version) {
    return new RestError(422, 42202, "The specified version '" + version + "' is not a valid version id. Allowed"
        + " values are between [1, 2^31-1] and the string \"latest\"");
  }

  static RestError invalidCompatibilityLevel(String level) {
    return new RestError(422, 42203, "Invalid compatibility level" + (level == null ? "" : " '" + level + "'")
        + ". Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and"
        + " full_transitive");
  }

  static RestError invalidSubject(String subject) {
    return new RestError(422, 42208, "The specified subject '" + subject + "' is not a valid subject name");
  }

  static RestError notFound() {
    return new RestError(404, 404, "HTTP 404 Not Found");
  }

  static RestError methodNotAllowed() {
    return new RestError(405, 405, "HTTP 405 Method Not Allowed");
  }

  static RestError badRequest(String reason) {
    return new RestError(400, 400, reason);
  }

  static RestError tooLarge(long limit) {
    return new RestError(413, 413, "Request body larger than the limit of " + limit + " bytes");
  }
}
