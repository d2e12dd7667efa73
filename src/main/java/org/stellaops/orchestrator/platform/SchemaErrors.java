package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the OpenAPI validator reports, as the error envelope's field errors: one per field, named in the
 * envelope's style ({@code components[0].digest}), with the codes the services use ({@code TOO_LONG},
 * {@code REQUIRED}…). Pure.
 */
final class SchemaErrors {

  /** Keywords whose failure only says that something inside them failed. */
  private static final Set<String> CONTAINERS = Set.of("properties", "patternProperties", "additionalProperties",
      "items", "prefixItems", "contains", "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "then",
      "else", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "propertyNames");

  private static final Pattern QUOTED = Pattern.compile("['\"]([^'\"]+)['\"]");

  private SchemaErrors() {}

  /**
   * Every problem the validator reported, one per field, in the envelope's field style. The
   * validator also reports the keywords that merely contain a failure ({@code properties},
   * {@code $ref}, {@code allOf}…) at the enclosing object; those are dropped when a more precise
   * error exists, so each field is named once with its own reason.
   */
  static List<ValidationError> errors(ValidatorException invalid, String parameter, JsonObject description) {
    Map<String, ValidationError> byField = new LinkedHashMap<>();
    if (invalid instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      List<ValidationError> found = new ArrayList<>();
      for (OutputUnit unit : withoutOtherBranches(leaves(schema.getOutputUnit()))) {
        String field = field(unit);
        if (parameter != null) {
          field = field.isEmpty() ? parameter : parameter + "." + field;
        }
        found.add(new ValidationError(field.isEmpty() ? "$" : field, message(unit, description),
            CONTAINERS.contains(keyword(unit)) ? null : code(keyword(unit))));
      }
      for (ValidationError error : found) {
        if (error.code() != null) {
          byField.putIfAbsent(error.field(), error);
        }
      }
      NavigableSet<String> precise = new TreeSet<>(byField.keySet());
      for (ValidationError error : found) {
        if (error.code() == null && !explained(precise, error.field())) {
          byField.putIfAbsent(error.field(), new ValidationError(error.field(), error.message(), "INVALID_VALUE"));
        }
      }
    }
    if (byField.isEmpty()) {
      String field = parameter == null ? "$" : parameter;
      byField.put(field, new ValidationError(field, invalid.getMessage(),
          invalid.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER ? "REQUIRED" : "INVALID_TYPE"));
    }
    return List.copyOf(byField.values());
  }

  private static final Pattern BRANCH = Pattern.compile("/(?:oneOf|anyOf)/\\d+(?=/)");

  /**
   * For a {@code oneOf}/{@code anyOf} whose branches are told apart by a {@code const} or
   * {@code enum} (a workflow step's {@code type}) or by the value's JSON type (an object or
   * null), the problems of the branches the value is not meant for are dropped: a
   * {@code deploy} step is not also told what a {@code trigger-ci} step lacks. When no branch is
   * meant (an unknown type), only the mismatches are kept.
   */
  static List<OutputUnit> withoutOtherBranches(List<OutputUnit> units) {
    // Each oneOf/anyOf keyword is evaluated once per value it applies to (every workflow step):
    // a choice is the keyword's location and the value's.
    Map<String, List<String>> owners = new LinkedHashMap<>();
    for (OutputUnit unit : units) {
      String location = location(unit);
      if (location.endsWith("/oneOf") || location.endsWith("/anyOf")) {
        owners.computeIfAbsent(location, k -> new ArrayList<>()).add(instance(unit));
      }
    }
    Map<String, Set<String>> branches = new LinkedHashMap<>();
    Map<String, Set<String>> mismatched = new LinkedHashMap<>();
    // Branches of the right JSON type whose discriminator value is wrong (not an object where a string was asked).
    Set<String> valueMismatched = new LinkedHashSet<>();
    Set<String> typeMismatched = new LinkedHashSet<>();
    Map<OutputUnit, List<String>> chosenBranches = new IdentityHashMap<>();
    for (OutputUnit unit : units) {
      String location = location(unit);
      Matcher m = BRANCH.matcher(location);
      List<String> inside = new ArrayList<>();
      while (m.find()) {
        String keyword = location.substring(0, m.end()).replaceAll("/\\d+$", "");
        String owner = owner(owners.getOrDefault(keyword, List.of()), instance(unit));
        String choice = keyword + "@" + owner;
        String branch = choice + location.substring(keyword.length(), m.end());
        inside.add(branch);
        branches.computeIfAbsent(choice, k -> new LinkedHashSet<>()).add(branch);
        String rest = location.substring(m.end());
        if (rest.matches("(/\\$ref)?(/properties/[^/]+)?(/\\$ref)?/(const|enum|type)")) {
          mismatched.computeIfAbsent(choice, k -> new LinkedHashSet<>()).add(branch);
          (rest.matches("(/\\$ref)?/type") ? typeMismatched : valueMismatched).add(branch);
        }
      }
      chosenBranches.put(unit, inside);
    }
    valueMismatched.removeAll(typeMismatched);
    List<OutputUnit> kept = new ArrayList<>();
    for (OutputUnit unit : units) {
      boolean keep = true;
      for (String branch : chosenBranches.get(unit)) {
        String choice = branch.substring(0, branch.lastIndexOf('/'));
        Set<String> wrong = mismatched.getOrDefault(choice, Set.of());
        if (wrong.contains(branch)) {
          boolean someMeant = !wrong.containsAll(branches.get(choice));
          boolean closerBranch = !valueMismatched.contains(branch)
              && wrong.stream().anyMatch(valueMismatched::contains);
          // An unknown discriminator: keep only the mismatches, which name the field, of the
          // branches of the value's JSON type.
          keep &= !someMeant && !closerBranch && location(unit).matches(".*/(const|enum|type)$");
        }
      }
      if (keep) {
        kept.add(unit);
      }
    }
    return kept;
  }

  private static String location(OutputUnit unit) {
    return unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
  }

  private static String instance(OutputUnit unit) {
    return unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
  }

  /** The value (of those a oneOf was evaluated at) that holds {@code instance}: the longest prefix. */
  private static String owner(List<String> candidates, String instance) {
    String best = "";
    for (String candidate : candidates) {
      if ((instance.equals(candidate) || instance.startsWith(candidate + "/")) && candidate.length() >= best.length()) {
        best = candidate;
      }
    }
    return best;
  }

  /** Whether a precise error names {@code field} or a field inside it (sorted lookups, for bodies with many errors). */
  private static boolean explained(NavigableSet<String> precise, String field) {
    if (field.equals("$")) {
      return !precise.isEmpty();
    }
    return precise.contains(field) || startsWith(precise.ceiling(field + "."), field + ".")
        || startsWith(precise.ceiling(field + "["), field + "[");
  }

  private static boolean startsWith(String candidate, String prefix) {
    return candidate != null && candidate.startsWith(prefix);
  }

  private static List<OutputUnit> leaves(OutputUnit unit) {
    List<OutputUnit> leaves = new ArrayList<>();
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      leaves.add(unit);
    } else {
      unit.getErrors().forEach(child -> leaves.addAll(leaves(child)));
    }
    return leaves;
  }

  /** {@code /components/0/digest} → {@code components[0].digest}; a missing property is named. */
  static String field(OutputUnit unit) {
    String pointer = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    if (pointer.startsWith("#")) {
      pointer = pointer.substring(1);
    }
    StringBuilder field = new StringBuilder();
    for (String segment : pointer.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String name = segment.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        field.append('[').append(name).append(']');
      } else {
        field.append(field.length() == 0 ? "" : ".").append(name);
      }
    }
    if ("required".equals(keyword(unit)) && unit.getError() != null) {
      Matcher m = QUOTED.matcher(unit.getError());
      if (m.find()) {
        field.append(field.length() == 0 ? "" : ".").append(m.group(1));
      }
    }
    return field.toString();
  }

  /** The failing JSON Schema keyword: the last segment of its location ({@code #/properties/a/maxLength}). */
  private static String keyword(OutputUnit unit) {
    String location = unit.getKeywordLocation();
    return location == null ? null : location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * The validator's reason; for a pattern, which one ("String does not match pattern" alone
   * leaves the caller guessing), read from the description at the keyword's location.
   */
  private static String message(OutputUnit unit, JsonObject description) {
    if ("pattern".equals(keyword(unit)) && unit.getAbsoluteKeywordLocation() != null) {
      String location = unit.getAbsoluteKeywordLocation();
      int fragment = location.indexOf('#');
      Object pattern = fragment < 0 ? null : JsonPointer.from(location.substring(fragment + 1)).queryJson(description);
      if (pattern instanceof String regex) {
        return "must match " + regex;
      }
    }
    return unit.getError() == null ? "does not match the API description" : unit.getError();
  }

  /** The validator's JSON Schema keyword as the codes the services use. */
  static String code(String keyword) {
    if (keyword == null) {
      return "INVALID_VALUE";
    }
    return switch (keyword) {
      case "type" -> "INVALID_TYPE";
      case "required" -> "REQUIRED";
      case "maxLength" -> "TOO_LONG";
      case "minLength" -> "TOO_SHORT";
      case "maxItems", "maxProperties" -> "TOO_MANY";
      case "minItems", "minProperties" -> "TOO_FEW";
      case "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum" -> "OUT_OF_RANGE";
      case "pattern", "format" -> "INVALID_FORMAT";
      default -> "INVALID_VALUE";
    };
  }
}
