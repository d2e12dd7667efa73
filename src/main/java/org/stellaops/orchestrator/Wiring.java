package org.stellaops.orchestrator;

import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.ServiceAccountRoutes;
import org.stellaops.orchestrator.ci.ConnectivityCheckRoutes;
import org.stellaops.orchestrator.ci.PipelineRunRoutes;
import org.stellaops.orchestrator.citrust.CiTrustPolicyRoutes;
import org.stellaops.orchestrator.integration.IntegrationRoutes;
import org.stellaops.orchestrator.webhook.InboxWriter;
import org.stellaops.orchestrator.webhook.DeliveryRoutes;
import org.stellaops.orchestrator.webhook.WebhookIngest;
import org.stellaops.orchestrator.workflow.EnvironmentRoutes;
import org.stellaops.orchestrator.workflow.PromotionRoutes;
import org.stellaops.orchestrator.platform.ContractValidation;
import org.stellaops.orchestrator.platform.Health;
import org.stellaops.orchestrator.platform.Metrics;
import org.stellaops.orchestrator.platform.OpenApi;
import org.stellaops.orchestrator.reporting.EventSubscriptionRoutes;
import org.stellaops.orchestrator.release.ComponentRoutes;
import org.stellaops.orchestrator.release.ReleaseRoutes;
import org.stellaops.orchestrator.release.VersionMapRoutes;

/**
 * Everything the HTTP verticles need, built once by {@link Application} and shared by every
 * instance (the inbox writer too: it takes deliveries from any event loop).
 */
public record Wiring(
    Health health,
    Metrics metrics,
    OpenApi openApi,
    ContractValidation contract,
    Guard guard,
    ServiceAccountRoutes serviceAccounts,
    CiTrustPolicyRoutes ciTrustPolicies,
    ComponentRoutes components,
    VersionMapRoutes versions,
    ReleaseRoutes releases,
    IntegrationRoutes integrations,
    ConnectivityCheckRoutes integrationChecks,
    WebhookIngest webhookIngest,
    InboxWriter inboxWriter,
    DeliveryRoutes deliveryRoutes,
    PipelineRunRoutes pipelineRuns,
    EnvironmentRoutes environments,
    PromotionRoutes promotions,
    EventSubscriptionRoutes subscriptions) {}
