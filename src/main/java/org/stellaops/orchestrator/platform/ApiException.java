package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A failure the caller caused, carrying everything the error envelope needs. Services throw
 * (or fail futures with) these; {@link FailureHandler} turns them into responses in one place.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject details;
  private final List<ValidationError> validationErrors;
  private final Long retryAfterSeconds;

  private ApiException(int status, String code, String message, JsonObject details,
      List<ValidationError> validationErrors, Long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
    this.validationErrors = List.copyOf(validationErrors.size() > MAX_VALIDATION_ERRORS
        ? validationErrors.subList(0, MAX_VALIDATION_ERRORS) : validationErrors);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException of(int status, String code, String message) {
    return new ApiException(status, code, message, null, List.of(), null);
  }

  /** An error whose {@code details} say what the caller needs to correct it. */
  public static ApiException of(int status, String code, String message, JsonObject details) {
    return new ApiException(status, code, message, details, List.of(), null);
  }

  public static ApiException badRequest(String message) {
    return of(400, "BAD_REQUEST", message);
  }

  /** The most problems one answer lists; {@code details.validationErrorCount} then says how many there were. */
  public static final int MAX_VALIDATION_ERRORS = 100;

  public static ApiException validation(List<ValidationError> errors) {
    return validation(errors, errors.size());
  }

  /**
   * A 400 listing the first {@link #MAX_VALIDATION_ERRORS} of {@code total} problems, so that
   * a body built to fail a million ways gets an answer (and a log) of bounded size.
   */
  public static ApiException validation(List<ValidationError> errors, int total) {
    List<ValidationError> listed = errors.size() > MAX_VALIDATION_ERRORS
        ? errors.subList(0, MAX_VALIDATION_ERRORS) : errors;
    String message = total == 1
        ? errors.get(0).field() + ": " + errors.get(0).message()
        : total + " fields are invalid";
    JsonObject details = null;
    if (total > listed.size()) {
      message += "; the first " + listed.size() + " are listed";
      details = new JsonObject().put("validationErrorCount", total);
    }
    return new ApiException(400, "VALIDATION_FAILED", message, details, listed, null);
  }

  public static ApiException unauthorized(String message) {
    return of(401, "UNAUTHORIZED", message);
  }

  public static ApiException forbidden(String missingPermission) {
    return new ApiException(403, "FORBIDDEN", "this token lacks the permission " + missingPermission,
        new JsonObject().put("requiredPermission", missingPermission), List.of(), null);
  }

  /** A grant of a right the caller does not hold itself (wildcards: only an admin holds them). */
  public static ApiException forbiddenToGrant(String permission) {
    return new ApiException(403, "FORBIDDEN", "this token cannot grant the permission " + permission
        + ": a token grants only permissions it holds itself, and wildcards only with *:*",
        new JsonObject().put("requiredPermission", permission), List.of(), null);
  }

  public static ApiException notFound(String what) {
    return of(404, "NOT_FOUND", what + " not found");
  }

  public static ApiException conflict(String message) {
    return of(409, "CONFLICT", message);
  }

  public static ApiException unprocessable(String code, String message, JsonObject details) {
    return new ApiException(422, code, message, details, List.of(), null);
  }

  public static ApiException unprocessable(String code, String message, List<ValidationError> errors) {
    JsonObject details = errors.size() > MAX_VALIDATION_ERRORS
        ? new JsonObject().put("validationErrorCount", errors.size()) : null;
    return new ApiException(422, code, message, details, errors, null);
  }

  public static ApiException tooManyRequests(String message, long retryAfterSeconds) {
    return new ApiException(429, "RATE_LIMITED", message, null, List.of(), retryAfterSeconds);
  }

  /** The same error with a {@code Retry-After} header (429/503). */
  public ApiException withRetryAfter(long seconds) {
    return new ApiException(status, code, getMessage(), details, validationErrors, seconds);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  public List<ValidationError> validationErrors() {
    return validationErrors;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
