package org.stellaops.orchestrator.auth;

import java.util.Set;

/**
 * A right to do {@code action} on {@code resource}, written {@code resource:action}, or in
 * requests as {@code {"resource":"release","action":"create"}}. {@code *} in either part
 * grants every value of that part (the admin role holds {@code *:*}).
 */
public record Permission(String resource, String action) {

  /** Resources the API knows; a service account may only be granted these. */
  public static final Set<String> RESOURCES = Set.of(
      "release", "component", "version-map", "service-account", "integration", "ci-event",
      "pipeline-run", "environment", "promotion", "deployment", "event-subscription", "ci-trust-policy", "*");
  public static final Set<String> ACTIONS = Set.of(
      "create", "read", "update", "delete", "approve", "*");

  public static final Permission RELEASE_CREATE = of("release:create");
  public static final Permission RELEASE_READ = of("release:read");
  public static final Permission COMPONENT_CREATE = of("component:create");
  public static final Permission COMPONENT_READ = of("component:read");
  public static final Permission COMPONENT_UPDATE = of("component:update");
  public static final Permission COMPONENT_DELETE = of("component:delete");
  public static final Permission VERSION_MAP_READ = of("version-map:read");
  public static final Permission VERSION_MAP_CREATE = of("version-map:create");
  public static final Permission SERVICE_ACCOUNT_CREATE = of("service-account:create");
  public static final Permission SERVICE_ACCOUNT_READ = of("service-account:read");
  public static final Permission SERVICE_ACCOUNT_DELETE = of("service-account:delete");
  public static final Permission INTEGRATION_CREATE = of("integration:create");
  public static final Permission INTEGRATION_READ = of("integration:read");
  public static final Permission INTEGRATION_UPDATE = of("integration:update");
  public static final Permission INTEGRATION_DELETE = of("integration:delete");
  public static final Permission CI_EVENT_CREATE = of("ci-event:create");
  public static final Permission ENVIRONMENT_CREATE = of("environment:create");
  public static final Permission ENVIRONMENT_READ = of("environment:read");
  public static final Permission ENVIRONMENT_UPDATE = of("environment:update");
  public static final Permission ENVIRONMENT_DELETE = of("environment:delete");
  public static final Permission PROMOTION_CREATE = of("promotion:create");
  public static final Permission PROMOTION_READ = of("promotion:read");
  public static final Permission PROMOTION_UPDATE = of("promotion:update");
  public static final Permission PROMOTION_APPROVE = of("promotion:approve");
  public static final Permission DEPLOYMENT_READ = of("deployment:read");
  public static final Permission DEPLOYMENT_UPDATE = of("deployment:update");
  public static final Permission EVENT_SUBSCRIPTION_CREATE = of("event-subscription:create");
  public static final Permission EVENT_SUBSCRIPTION_READ = of("event-subscription:read");
  public static final Permission EVENT_SUBSCRIPTION_DELETE = of("event-subscription:delete");
  public static final Permission CI_TRUST_POLICY_CREATE = of("ci-trust-policy:create");
  public static final Permission CI_TRUST_POLICY_READ = of("ci-trust-policy:read");
  public static final Permission CI_TRUST_POLICY_DELETE = of("ci-trust-policy:delete");
  public static final Permission PIPELINE_RUN_CREATE = of("pipeline-run:create");
  public static final Permission PIPELINE_RUN_READ = of("pipeline-run:read");
  public static final Permission PIPELINE_RUN_UPDATE = of("pipeline-run:update");

  public static Permission of(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("permission must look like resource:action, got " + text);
    }
    return new Permission(text.substring(0, colon), text.substring(colon + 1));
  }

  public boolean grants(Permission required) {
    return (resource.equals("*") || resource.equals(required.resource))
        && (action.equals("*") || action.equals(required.action));
  }

  @Override
  public String toString() {
    return resource + ":" + action;
  }
}
