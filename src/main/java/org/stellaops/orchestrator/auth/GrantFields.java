package org.stellaops.orchestrator.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Reads the {@code roles} and {@code permissions} of a body that grants rights (a service
 * account, a CI trust policy), reporting unknown roles, resources and actions at their paths.
 */
public final class GrantFields {

  private GrantFields() {}

  /** {@code roles}: known role names (an empty list when absent). */
  public static List<String> roles(Validator v) {
    List<String> roles = Optional.ofNullable(v.optionalStringList("roles", 20, 64)).orElse(List.of());
    for (int i = 0; i < roles.size(); i++) {
      if (!Roles.exists(roles.get(i))) {
        v.error("roles[" + i + "]", "unknown role '" + roles.get(i) + "'; known roles: "
            + new TreeSet<>(Roles.names()), "UNKNOWN_ROLE");
      }
    }
    return roles;
  }

  /**
   * {@code permissions}: each {@code {resource, action}}, or the text {@code resource:action}, of a
   * known resource and action (an empty list when absent).
   */
  public static List<Permission> permissions(Validator v) {
    JsonArray array = v.optionalArray("permissions");
    List<Permission> permissions = new ArrayList<>();
    if (array == null) {
      return permissions;
    }
    for (int i = 0; i < array.size(); i++) {
      String field = "permissions[" + i + "]";
      String resource;
      String action;
      // Where an unknown part is reported: the text itself, or the object's resource / action field.
      String resourceField = field;
      String actionField = field;
      if (array.getValue(i) instanceof String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
          v.error(field, "must be resource:action, such as release:create", "INVALID_FORMAT");
          continue;
        }
        resource = text.substring(0, colon);
        action = text.substring(colon + 1);
      } else if (array.getValue(i) instanceof JsonObject entry) {
        Validator p = v.nested(entry, field);
        resource = p.requiredString("resource", 64);
        action = p.requiredString("action", 64);
        resourceField = field + ".resource";
        actionField = field + ".action";
      } else {
        v.error(field, "must be an object {resource, action}", "INVALID_TYPE");
        continue;
      }
      if (resource != null && !Permission.RESOURCES.contains(resource)) {
        v.error(resourceField, "unknown resource '" + resource + "'; known: " + new TreeSet<>(Permission.RESOURCES),
            "UNKNOWN_RESOURCE");
      } else if (action != null && !Permission.ACTIONS.contains(action)) {
        v.error(actionField, "unknown action '" + action + "'; known: " + new TreeSet<>(Permission.ACTIONS),
            "UNKNOWN_ACTION");
      } else if (resource != null && action != null) {
        permissions.add(new Permission(resource, action));
      }
    }
    return permissions;
  }
}
