import type { ApplicationFunctionOptions, Probot } from "probot";

/** Events the app subscribes to; kept in step with app.yml's default_events. */
export const SUBSCRIBED_EVENTS = [
  "push",
  "pull_request",
  "check_suite",
  "check_run",
  "workflow_run",
  "status",
  "installation",
  "installation_repositories",
  "issues",
  "issue_comment",
  "repository_dispatch",
] as const;

export function registerHandlers(app: Probot, _options: ApplicationFunctionOptions): void {
  for (const event of SUBSCRIBED_EVENTS) {
    app.on(event, async (context) => {
      context.log.info({ event: context.name, delivery: context.id }, "event received");
    });
  }
}
