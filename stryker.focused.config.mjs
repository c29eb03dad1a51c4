// Mutation testing with a chosen set of test files (issue 18): a faster lower bound of
// `npm run test:mutation`, for a module whose related tests include slow suites.
//   MUTATION_TESTS="test/store/file-store*.test.ts,test/store/damaged-history.test.ts" \
//     nice -n 10 node node_modules/@stryker-mutator/core/bin/stryker.js run stryker.focused.config.mjs \
//     --mutate src/store/file-store.ts --incremental
// Fewer tests can only kill fewer mutants, so the score is at most the full run's.
import base from "./stryker.config.mjs";

export default {
  ...base,
  vitest: { configFile: "vitest.focused.config.ts", related: false },
  incrementalFile: "reports/stryker-focused-incremental.json",
};
