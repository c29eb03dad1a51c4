import type { ApplicationFunction } from "probot";
import { registerHandlers, type AppDeps } from "./app/handlers.js";

/** Build the Probot app with injected dependencies (tests pass a store, stages, clock). */
export function createApp(deps: AppDeps = {}): ApplicationFunction {
  return (probot, options) => {
    registerHandlers(probot, options, deps);
  };
}

/**
 * The Probot app: wires GitHub events and HTTP routes to the pipeline, nothing else.
 * Logic lives in plain modules under src/{source,scan,enrich,assess,act,store,pipeline}.
 */
const app: ApplicationFunction = createApp();

export default app;
