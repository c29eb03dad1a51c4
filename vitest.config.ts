import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The app's schedule and health-poller timers stay off unless a test turns them on (deps.schedule).
    env: { COWABUNGA_BACKGROUND_TIMERS: "false" },
  },
});
