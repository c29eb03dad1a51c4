import type { ApplicationFunction } from "probot";
import { registerHandlers } from "./app/handlers.js";

/**
 * The Probot app: wires GitHub events and HTTP routes to the pipeline, nothing else.
 * Logic lives in plain modules under src/{source,scan,enrich,assess,act,store}.
 */
const app: ApplicationFunction = (probot, options) => {
  registerHandlers(probot, options);
};

export default app;
