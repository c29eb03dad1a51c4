// Mutation testing (issue 18): `npm run test:mutation -- <file or folder> [...]`.
// Not part of `npm test` or CI: it is slow and prints a score, like the benchmarks.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  plugins: ["@stryker-mutator/vitest-runner"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignoreStatic: true,
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 20000,
  // The first full pass of the related suites (pulls.ts, src/enrich/advisories) takes more than the default
  // 5 minutes on a shared 2-core machine.
  dryRunTimeoutMinutes: 30,
  // Never copy another run's sandbox, reports or the CLI bundle into this one's.
  ignorePatterns: [".stryker-tmp", "reports", "dist"],
};
