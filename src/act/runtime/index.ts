export * from "./metrics-store.js";
export { HealthPoller, POLL_MAX_BODY, POLL_TIMEOUT_MS, type HealthPollerOptions, type PollResult, type PollTarget } from "./poller.js";
