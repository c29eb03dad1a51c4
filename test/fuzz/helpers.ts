import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, "../fixtures");

export function fixture(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), "utf8");
}

/**
 * Seeded and bounded: every run of `npm test` tries the same inputs (a failure is reproducible
 * from the printed seed), and the number of runs keeps the fuzz files at a few seconds in total.
 * FUZZ_RUNS_SCALE (e.g. 20) runs more for a longer local hunt.
 */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.FUZZ_RUNS_SCALE ?? "1");
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x10_b;
  return { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))), seed };
}

/** Characters that matter to the formats we parse: structure, quoting, anchors, comments, escapes, odd Unicode. */
const SPICE = [
  "{", "}", "[", "]", ":", ",", '"', "'", "\n", "\r\n", "\t", " ", "-", "#", "&a", "*a", "<<: *a", "!", "|", ">", "=", "==", "^", "~", "@", "\\", "\\u0000",
  "\u0000", "\u001b[31m", "\ufeff", "\u2028", "😀", "é", "..", "/", "%", "${X}", "0", "-1", "1e999", "null", "true", "[[", "]]", "<", "/>", "<!--", "]]>", "&amp;",
];

/** One random edit of a text: insert spice, delete a slice, duplicate a slice, truncate. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SPICE), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.kind) {
    case "insert":
      return text.slice(0, at) + e.text + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + e.len);
    case "dup":
      return text.slice(0, at) + text.slice(at, at + e.len) + text.slice(at);
    case "truncate":
      return text.slice(0, at);
  }
}

/** A valid file with 1-6 random edits: the inputs most likely to reach deep parser paths. */
export function mutated(text: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => edits.reduce(apply, text));
}

/** Mutations of the seeds, or text from scratch (ASCII structure, full Unicode). */
export function hostileText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...seeds).chain(mutated) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...SPICE), { maxLength: 60 }).map((a) => a.join("")) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  );
}

/** Run fn and fail when it takes longer than `ms` (a hang or a blow-up on one input). */
export function withinBudget<T>(ms: number, what: string, fn: () => T): T {
  const start = performance.now();
  const out = fn();
  const took = performance.now() - start;
  if (took > ms) throw new Error(`${what} took ${Math.round(took)} ms, over the ${ms} ms budget`);
  return out;
}

export async function withinBudgetAsync<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await fn();
  const took = performance.now() - start;
  if (took > ms) throw new Error(`${what} took ${Math.round(took)} ms, over the ${ms} ms budget`);
  return out;
}
