import { XMLParser } from "fast-xml-parser";
import type { TestFailure, TestInfo } from "../../../model/index.js";

export interface ParsedTests {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Errors count as failures in TestResult; kept apart here for reporting. */
  errors: number;
  duration_seconds: number;
  cases: TestInfo[];
  failures: TestFailure[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) => name === "testsuite" || name === "testcase" || name === "failure" || name === "error",
  processEntities: true,
  htmlEntities: false,
});

type Node = Record<string, unknown>;

const num = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};
const text = (v: unknown): string => (typeof v === "string" ? v : v && typeof v === "object" ? String((v as Node)["#text"] ?? (v as Node).message ?? "") : "");
const firstLines = (s: string, n = 5): string => s.split(/\r?\n/).slice(0, n).join("\n").slice(0, 1000);

function collectSuites(node: unknown, out: Node[]): void {
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  for (const s of (n.testsuite as Node[] | undefined) ?? []) {
    out.push(s);
    collectSuites(s, out);
  }
}

/**
 * JUnit XML as pytest, vitest, jest-junit, surefire and go-junit-report write it: `<testsuites>` or a bare
 * `<testsuite>`, nested suites, `<failure>`/`<error>`/`<skipped>` children. Counts come from the test cases
 * (attributes are often missing or summed differently). Returns an error string for non-JUnit input.
 */
export function parseJUnit(xml: string, source = "junit.xml"): ParsedTests | { error: string } {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    return { error: `${source}: invalid XML (${(e as Error).message.split("\n")[0]})` };
  }
  const suites: Node[] = [];
  if (doc.testsuites) collectSuites(doc.testsuites, suites);
  collectSuites(doc, suites);
  if (suites.length === 0) return { error: `${source}: no <testsuite> element` };
  const r: ParsedTests = { tests: 0, passed: 0, failed: 0, skipped: 0, errors: 0, duration_seconds: 0, cases: [], failures: [] };
  for (const s of suites) {
    const suiteName = typeof s.name === "string" ? s.name : null;
    for (const c of (s.testcase as Node[] | undefined) ?? []) {
      const name = String(c.name ?? "(unnamed)");
      const suite = typeof c.classname === "string" ? c.classname : suiteName;
      const duration = num(c.time);
      r.tests++;
      r.cases.push({ name, suite, duration_seconds: duration });
      const failure = (c.failure as unknown[] | undefined)?.[0];
      const error = (c.error as unknown[] | undefined)?.[0];
      if (failure !== undefined || error !== undefined) {
        const f = (failure ?? error) as unknown;
        if (failure !== undefined) r.failed++;
        else r.errors++;
        const message = typeof f === "object" && f !== null && typeof (f as Node).message === "string" ? String((f as Node).message) : firstLines(text(f));
        const file = typeof c.file === "string" ? c.file : null;
        r.failures.push({ name, suite, message: firstLines(message || "(no message)"), file, line: c.line != null && Number.isInteger(Number(c.line)) ? Number(c.line) : null });
      } else if (c.skipped !== undefined) r.skipped++;
      else r.passed++;
    }
  }
  const top = doc.testsuites as Node | undefined;
  r.duration_seconds = top && top.time != null ? num(top.time) : suites.filter((s) => !(s.testsuite as unknown[] | undefined)?.length).reduce((a, s) => a + num(s.time), 0);
  if (r.duration_seconds === 0) r.duration_seconds = r.cases.reduce((a, c) => a + c.duration_seconds, 0);
  return r;
}
