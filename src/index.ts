import type { ApplicationFunction } from "probot";
import { registerHandlers, type AppDeps } from "./app/handlers.js";
import { DEFAULT_WEBHOOK_PATH, installWebhookBodyLimit, webhookMaxBytesFromEnv, type WebhookMiddlewareHost } from "./server/webhook-limit.js";

/** Build the Probot app with injected dependencies (tests pass a store, stages, clock). */
export function createApp(deps: AppDeps = {}): ApplicationFunction {
  return (probot, options) => {
    // Before anything else: the webhook middleware Probot's server builds on start reads bodies only up to the cap.
    const env = deps.env ?? process.env;
    installWebhookBodyLimit(probot as unknown as WebhookMiddlewareHost, {
      maxBytes: webhookMaxBytesFromEnv(env),
      path: env.WEBHOOK_PATH?.trim() || DEFAULT_WEBHOOK_PATH,
    });
    registerHandlers(probot, options, deps);
  };
}

/**
 * The Probot app: wires GitHub events and HTTP routes to the pipeline, nothing else.
 * Logic lives in plain modules under src/{source,scan,enrich,assess,act,store,pipeline}.
 */
const app: ApplicationFunction = createApp();

export default app;
