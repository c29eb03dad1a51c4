import { z } from "zod";
import { Percentage } from "./common.js";

/** A test and how long it took (seed: TestInfo, undefined there). */
export const TestInfo = z.object({
  /** Test name, as the runner reports it. */
  name: z.string(),
  /** Suite or file the test belongs to, when known. */
  suite: z.string().nullable().default(null),
  /** Wall-clock duration of this test. */
  duration_seconds: z.number().min(0),
});
export type TestInfo = z.infer<typeof TestInfo>;

/** A failed assertion (seed: TestFailure, undefined there). */
export const TestFailure = z.object({
  name: z.string(),
  suite: z.string().nullable().default(null),
  /** The failure message, first lines only. */
  message: z.string(),
  /** Source file of the test, when known. */
  file: z.string().nullable().default(null),
  line: z.number().int().nullable().default(null),
});
export type TestFailure = z.infer<typeof TestFailure>;

/** An error outside an assertion: a crashed job, a runner error (seed: TestError, undefined there). */
export const TestError = z.object({
  /** Where it came from: a check run, a workflow job, a report file. */
  source: z.string(),
  message: z.string(),
});
export type TestError = z.infer<typeof TestError>;

/** The seed's TestResult. Coverage figures are percentages (0..100), null when not reported. */
export const TestResult = z.object({
  test_suite: z.string(),
  tests_run: z.number().int().min(0),
  tests_passed: z.number().int().min(0),
  tests_failed: z.number().int().min(0),
  tests_skipped: z.number().int().min(0),
  line_coverage: Percentage.nullable(),
  branch_coverage: Percentage.nullable(),
  function_coverage: Percentage.nullable(),
  duration_seconds: z.number().min(0),
  slowest_tests: z.array(TestInfo),
  failures: z.array(TestFailure),
  errors: z.array(TestError),
});
export type TestResult = z.infer<typeof TestResult>;
