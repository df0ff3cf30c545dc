package dev.weft.registry;

/**
 * A schema registry call that failed: the registry answered with an error, or did not answer at all.
 *
 * <p>When the registry answered, {@link #status()} is the HTTP status and {@link #errorCode()} the {@code error_code}
 * of its JSON error body (Confluent's codes: 40401 subject not found, 40402 version not found, 40403 schema not found,
 * 40901 incompatible schema, 42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level, 50001
 * store error, ...), or the HTTP status when the body carried none. When no answer came (connection refused, timeout),
 * both are {@link #NO_RESPONSE}.
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The status and error code of a call that got no HTTP response. */
  public static final int NO_RESPONSE = -1;

  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int SUBJECT_SOFT_DELETED = 40404;
  public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
  public static final int VERSION_SOFT_DELETED = 40406;
  public static final int VERSION_NOT_SOFT_DELETED = 40407;
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
  public static final int INCOMPATIBLE_SCHEMA = 40901;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int STORE_ERROR = 50001;
  public static final int OPERATION_TIMEOUT = 50002;

  private final int status;
  private final int errorCode;
  private final String registryMessage;

  public SchemaRegistryException(int status, int errorCode, String registryMessage, String context, Throwable cause) {
    super(context + ": " + describe(status, errorCode, registryMessage), cause);
    this.status = status;
    this.errorCode = errorCode;
    this.registryMessage = registryMessage;
  }

  /** The HTTP status of the registry's answer, or {@link #NO_RESPONSE}. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code}, the HTTP status if its answer carried none, or {@link #NO_RESPONSE}. */
  public int errorCode() {
    return errorCode;
  }

  /** The registry's own {@code message}, or the reason no answer came. */
  public String registryMessage() {
    return registryMessage;
  }

  private static String describe(int status, int errorCode, String message) {
    if (status == NO_RESPONSE) {
      return message;
    }
    return "HTTP " + status + ", error code " + errorCode + ": " + message;
  }
}
