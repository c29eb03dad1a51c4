import { defineConfig } from "vitest/config";

// Used by `npm run test:mutation` only: the unit suites. End-to-end, app, CLI-process, browser and corpus
// acceptance suites are left out: they cover the same code through slow paths and time mutants out.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/app/**", "test/cli/**", "test/acceptance/**", "test/bench/**", "test/deploy/**", "**/*.browser.test.ts", "**/*acceptance*.test.ts", "test/**/*corpus*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { COWABUNGA_BACKGROUND_TIMERS: "false" },
  },
});
