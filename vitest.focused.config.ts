import { defineConfig } from "vitest/config";
import base from "./vitest.mutation.config.js";

// Used by stryker.focused.config.mjs only: the mutation config narrowed to the comma-separated
// test file globs of MUTATION_TESTS.
export default defineConfig({ test: { ...base.test, include: (process.env.MUTATION_TESTS ?? "").split(",").filter(Boolean) } });
