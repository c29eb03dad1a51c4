/** The README's Limits table says what the code does: each documented default is the constant in use. */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES, MAX_IGNORE_FILE_BYTES } from "../../src/source/local.js";
import { MAX_BODY_BYTES } from "../../src/server/http.js";
import { MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, MAX_CONFIG_VALUES } from "../../src/config/load.js";
import { POLL_MAX_BODY, POLL_TIMEOUT_MS } from "../../src/act/runtime/poller.js";
import { MAX_SAMPLES_PER_COMPONENT, UPTIME_WINDOW_DAYS } from "../../src/act/runtime/metrics-store.js";
import { DEFAULT_INGEST_EXTRA_COMPONENTS } from "../../src/server/api.js";
import { DEFAULT_RETENTION, HISTORY_COMPACT_AFTER_DAYS } from "../../src/store/retention.js";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/enrich/http.js";
import { MAX_CHANGELOG_BYTES } from "../../src/enrich/breaking.js";
import { DEFAULT_LIMITS } from "../../src/act/github/validation.js";

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Limits"), readme.indexOf("\n## ", readme.indexOf("## Limits") + 5));
const rows = section
  .split("\n")
  .filter((l) => l.startsWith("| ") && !l.startsWith("| limit") && !l.startsWith("| ---"))
  .map((l) => l.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "")));
const row = (start: string): string[] => {
  const r = rows.find((x) => x[0].startsWith(start));
  if (!r) throw new Error(`no Limits row starting "${start}"`);
  return r;
};

describe("README: Limits", () => {
  it("has the section with its three columns", () => {
    expect(section).toMatch(/\| limit \| default \| how to change \|/);
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it("each documented default is the value in the code", () => {
    expect(MAX_FILE_BYTES).toBe(5 * 1024 * 1024);
    expect(row("size of a repository file")[1]).toMatch(/^5 MiB/);
    expect(MAX_IGNORE_FILE_BYTES).toBe(1024 * 1024);
    expect(row("`.gitignore`")[1]).toMatch(/^1 MiB/);
    expect([MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, MAX_CONFIG_VALUES]).toEqual([512 * 1024, 32, 50_000]);
    expect(row("`.github/cowabunga.yml`")[1]).toMatch(/512 KiB, depth 32, 50,000 values/);
    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    expect(row("REST API request body")[1]).toMatch(/^64 KiB/);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(128 * 1024 * 1024);
    expect(row("registry response body")[1]).toBe("128 MiB");
    expect([POLL_MAX_BODY, POLL_TIMEOUT_MS]).toEqual([64 * 1024, 5_000]);
    expect(row("health poll")[1]).toBe("64 KiB; 5 s");
    expect(DEFAULT_INGEST_EXTRA_COMPONENTS).toBe(10);
    expect(row("components with runtime metrics")[1]).toMatch(/\+ 10 others/);
    expect([MAX_SAMPLES_PER_COMPONENT, UPTIME_WINDOW_DAYS]).toEqual([50_000, 30]);
    expect(row("runtime samples per component")[1]).toMatch(/^50,000 and 30 days/);
    expect(HISTORY_COMPACT_AFTER_DAYS).toBe(7);
    expect(DEFAULT_RETENTION).toMatchObject({ health_days: 30, dependency_history_days: 182, issue_history_days: 365 });
    expect(row("history size")[1]).toMatch(/one per day after 7 days; health 30 days, dependencies 182 days, resolved issues 365 days/);
    expect(MAX_CHANGELOG_BYTES).toBe(1024 * 1024);
    expect(DEFAULT_LIMITS).toEqual({ maxArtifactBytes: 50 * 1024 * 1024, maxEntryBytes: 20 * 1024 * 1024, maxEntries: 500, maxArtifacts: 20 });
  });

  it("every environment variable named in the table is read by the code", () => {
    const srcRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");
    const code = (readdirSync(srcRoot, { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(path.join(srcRoot, f), "utf8"))
      .join("\n");
    for (const v of section.match(/COWABUNGA_[A-Z_]+/g) ?? []) expect(code, v).toContain(v);
  });
});
