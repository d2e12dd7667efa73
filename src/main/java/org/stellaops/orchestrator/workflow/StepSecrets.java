package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.stellaops.orchestrator.crypto.CredentialCipher;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Header values of steps ({@code config.headers} of deploy and http steps) are write-only:
 * stored sealed with the master key (AES-256-GCM, bound to the environment's id) as
 * {@code {"sealed": "<base64>"}}, opened only to send the step's request, and answered as
 * {@value #MASK} to everyone. A promotion's snapshot of the workflow carries the sealed values,
 * so they open with its target environment's id.
 */
public final class StepSecrets {

  /** What every header value is answered as; sent back on save, it keeps the stored value. */
  public static final String MASK = "***";
  private static final String SEALED = "sealed";

  private final CredentialCipher cipher;

  public StepSecrets(CredentialCipher cipher) {
    this.cipher = cipher;
  }

  /**
   * The workflow to store: every plaintext header value sealed. A value of {@value #MASK}
   * keeps what {@code stored} holds for the same step id and header name (a workflow read back
   * and saved again keeps its secrets) only while the step keeps its type and sends to the same
   * scheme, host and port: a stored secret never follows a URL to a new destination without
   * being sent again. Otherwise, and with nothing stored there, it is a validation error.
   */
  JsonArray seal(UUID environmentId, JsonArray workflow, JsonArray stored, Validator v) {
    JsonArray sealed = workflow.copy();
    keepMaskedVariables(sealed, stored, v);
    for (int i = 0; i < sealed.size(); i++) {
      JsonObject headers = headersOf(sealed.getValue(i));
      if (headers == null) {
        continue;
      }
      JsonObject step = (JsonObject) sealed.getValue(i);
      JsonObject previousStep = stepNamed(stored, step.getString("id"));
      JsonObject previous = headersOf(previousStep);
      boolean moved = previousStep != null && !sameDestination(previousStep, step);
      for (String name : headers.fieldNames()) {
        Object value = headers.getValue(name);
        if (MASK.equals(value)) {
          Object kept = previous == null ? null : previous.getValue(name);
          if (kept != null && moved) {
            v.error("workflow[" + i + "].config.headers." + name, "is " + MASK + ", but this step's type or "
                + "destination (scheme, host, port) changed; send the header's value again with the new URL",
                "CREDENTIALS_REQUIRED");
          } else if (kept == null) {
            v.error("workflow[" + i + "].config.headers." + name, "is " + MASK + ", which stands for a stored "
                + "value, but this step has no stored header " + name + "; send the value itself", "INVALID_VALUE");
          } else {
            headers.put(name, kept instanceof String plain ? seal(environmentId, plain) : kept);
          }
        } else if (value instanceof String plain) {
          headers.put(name, seal(environmentId, plain));
        }
      }
    }
    return sealed;
  }

  /** Whether two versions of a step have the same type and send to the same scheme, host and port. Pure. */
  static boolean sameDestination(JsonObject before, JsonObject after) {
    return Objects.equals(before.getString("type"), after.getString("type"))
        && Objects.equals(origin(before), origin(after));
  }

  private static String origin(JsonObject step) {
    Object url = step.getValue("config") instanceof JsonObject config ? config.getValue("url") : null;
    if (!(url instanceof String text)) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null) {
        return text;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return text;
    }
  }

  /** The steps with every plaintext header value sealed, sealed ones kept. */
  JsonArray sealPlaintext(UUID environmentId, JsonArray steps) {
    JsonArray sealed = steps.copy();
    for (Object step : sealed) {
      JsonObject headers = headersOf(step);
      if (headers == null) {
        continue;
      }
      for (String name : headers.fieldNames()) {
        if (headers.getValue(name) instanceof String plain) {
          headers.put(name, seal(environmentId, plain));
        }
      }
    }
    return sealed;
  }

  /** The headers a step sends, opened. Fails naming the step and header, never the value. */
  Map<String, String> open(UUID environmentId, JsonObject step) {
    Map<String, String> open = new LinkedHashMap<>();
    JsonObject headers = headersOf(step);
    if (headers == null) {
      return open;
    }
    for (String name : headers.fieldNames()) {
      Object value = headers.getValue(name);
      if (value instanceof JsonObject sealed && sealed.getValue(SEALED) instanceof String data) {
        try {
          open.put(name, cipher.decrypt(environmentId, Base64.getDecoder().decode(data)).getString("value"));
        } catch (RuntimeException e) {
          throw new IllegalStateException("header " + name + " of step " + step.getString("id") + " cannot be "
              + "decrypted (altered, or sealed under another STELLA_MASTER_KEY); save the environment's workflow "
              + "with the header's value again");
        }
      } else {
        open.put(name, String.valueOf(value));
      }
    }
    return open;
  }

  /** The steps as answered: every header value replaced by {@value #MASK}. Pure. */
  public static JsonArray masked(JsonArray steps) {
    if (steps == null) {
      return null;
    }
    JsonArray masked = steps.copy();
    for (Object step : masked) {
      JsonObject headers = headersOf(step);
      if (headers != null) {
        headers.fieldNames().forEach(name -> headers.put(name, MASK));
      }
    }
    return masked;
  }

  /**
   * The steps as answered to a caller: header values masked and, for a caller who may not see
   * pipeline variables (only {@code integration:update} holders may), the values of the
   * variables a step sends masked too, their names kept. Pure.
   */
  public static JsonArray answered(JsonArray steps, boolean withVariables) {
    JsonArray answered = masked(steps);
    if (answered == null || withVariables) {
      return answered;
    }
    for (Object step : answered) {
      JsonObject variables = variablesOf(step);
      if (variables != null) {
        variables.fieldNames().forEach(name -> variables.put(name, MASK));
      }
    }
    return answered;
  }

  /**
   * A variable sent back as {@value #MASK} (a workflow read without the right to see variables,
   * and saved again) keeps the value {@code stored} holds for the same step id, type and name.
   */
  private static void keepMaskedVariables(JsonArray workflow, JsonArray stored, Validator v) {
    for (int i = 0; i < workflow.size(); i++) {
      JsonObject variables = variablesOf(workflow.getValue(i));
      if (variables == null) {
        continue;
      }
      JsonObject step = workflow.getJsonObject(i);
      JsonObject previousStep = stepNamed(stored, step.getString("id"));
      JsonObject previous = previousStep != null && Objects.equals(previousStep.getString("type"), step.getString("type"))
          ? variablesOf(previousStep) : null;
      for (String name : variables.fieldNames()) {
        if (!MASK.equals(variables.getValue(name))) {
          continue;
        }
        Object kept = previous == null ? null : previous.getValue(name);
        if (kept == null) {
          v.error("workflow[" + i + "].config.variables." + name, "is " + MASK + ", which stands for a stored value, "
              + "but this step has no stored variable " + name + "; send the value itself", "INVALID_VALUE");
        } else {
          variables.put(name, kept);
        }
      }
    }
  }

  private static JsonObject variablesOf(Object step) {
    return step instanceof JsonObject s && s.getValue("config") instanceof JsonObject config
        && config.getValue("variables") instanceof JsonObject variables ? variables : null;
  }

  private JsonObject seal(UUID environmentId, String plain) {
    byte[] data = cipher.encrypt(environmentId, new JsonObject().put("value", plain));
    return new JsonObject().put(SEALED, Base64.getEncoder().encodeToString(data));
  }

  private static JsonObject headersOf(Object step) {
    return step instanceof JsonObject s && s.getValue("config") instanceof JsonObject config
        && config.getValue("headers") instanceof JsonObject headers ? headers : null;
  }

  private static JsonObject stepNamed(JsonArray steps, String id) {
    if (steps == null || id == null) {
      return null;
    }
    for (Object step : steps) {
      if (step instanceof JsonObject s && id.equals(s.getString("id"))) {
        return s;
      }
    }
    return null;
  }
}
