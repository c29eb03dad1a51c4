/**
 * The config loader rule by rule (issue 18, mutation run of src/config/load.ts): did-you-mean
 * suggestions, what an invalid value or entry becomes, the size and shape limits, line numbers of
 * errors in the raw file, and the one-line error format. Expected messages and lines are read off the
 * YAML text of each test and the schema's documented keys.
 */
import { describe, expect, it } from "vitest";
import {
  CONFIG_PATH,
  formatConfigErrors,
  loadRepoConfig,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_VALUES,
  parseConfigYaml,
  validateConfigObject,
  type ConfigContext,
} from "../../src/config/load.js";
import { defaultConfig } from "../../src/config/schema.js";

const UPDATES_KEYS = "enabled, update_types, max_open_prs, grouping, labels, reviewers, automerge, minimum_release_age_days, rebase";
const TOP_KEYS = "components, schedule, maintenance_mode, thresholds, ignore, updates, issues, notifications, retention, registries, ignore_paths, sla";

const messages = (text: string) => parseConfigYaml(text, "c.yml").errors.map((e) => `${e.path}@${e.line}: ${e.message}`);

describe("unknown keys: did you mean, or the known keys", () => {
  it("suggests a key within max(2, a third of the key's length) edits, case-insensitively", () => {
    expect(messages("updates:\n  rebas: never\n")).toEqual(['updates.rebas@2: unknown key "rebas" ignored (did you mean "rebase"?)']);
    expect(messages("updates:\n  LABELS: [a]\n")).toEqual(['updates.LABELS@2: unknown key "LABELS" ignored (did you mean "labels"?)']);
    // "labelsxx": 2 edits, length 8 → within 2.
    expect(messages("updates:\n  labelsxx: 1\n")).toEqual(['updates.labelsxx@2: unknown key "labelsxx" ignored (did you mean "labels"?)']);
    // "labelsxxx": 3 edits, length 9 → within 3.
    expect(messages("updates:\n  labelsxxx: 1\n")).toEqual(['updates.labelsxxx@2: unknown key "labelsxxx" ignored (did you mean "labels"?)']);
    // "labelsxxxx": 4 edits, length 10 → over 3: the known keys instead.
    expect(messages("updates:\n  labelsxxxx: 1\n")).toEqual([`updates.labelsxxxx@2: unknown key "labelsxxxx" ignored (known keys: ${UPDATES_KEYS})`]);
    // Three edits on a short key are too many.
    expect(messages("updates:\n  xyz: 1\n")).toEqual([`updates.xyz@2: unknown key "xyz" ignored (known keys: ${UPDATES_KEYS})`]);
  });

  it("picks the nearest key, the first of equals", () => {
    // "issue" is 1 edit from "issues" and 5+ from the rest.
    expect(messages("issue:\n  enabled: false\n")).toEqual(['issue@1: unknown key "issue" ignored (did you mean "issues"?)']);
    expect(messages("foo: 1\n")).toEqual([`foo@1: unknown key "foo" ignored (known keys: ${TOP_KEYS})`]);
  });

  it("inside list items and nested objects, at the key's own line", () => {
    const text = ["components:", "  - name: api", "    paths: [api/**]", "  - name: web", "    nmae: x", "    paths: [web/**]", "notifications:", "  slack:", "    enabeld: true"].join("\n");
    expect(messages(text)).toEqual([
      'components[1].nmae@5: unknown key "nmae" ignored (did you mean "name"?)',
      'notifications.slack.enabeld@9: unknown key "enabeld" ignored (did you mean "enabled"?)',
    ]);
  });

  it("registry names come from the schema's list", () => {
    const [m] = messages("registries:\n  pipy: https://mirror.test\n");
    expect(m).toMatch(/^registries\.pipy@2: .* ignored \(did you mean "pypi"\?\)$/);
    const [far] = messages("registries:\n  rubygems: https://mirror.test\n");
    expect(far).toMatch(/ignored \(known keys: npm, pypi, crates, go, go_sumdb, docker, helm, osv\)$/);
  });

  it("keys under a value that is not a mapping have no suggestion list", () => {
    // ignore_paths is a list of strings: an object in it is a type error, not an unknown key.
    expect(messages("ignore_paths:\n  - {a: 1}\n")).toEqual(["ignore_paths[0]@2: expected string, got object; ignored, using the default"]);
  });
});

describe("invalid values and entries", () => {
  it("a bad value is ignored for its default; a missing required key drops its entry", () => {
    expect(messages("updates:\n  max_open_prs: -1\n")).toEqual(["updates.max_open_prs@2: expected a number >= 0, got number -1; ignored, using the default"]);
    expect(messages("components:\n  - name: api\n")).toEqual(["components[0].paths@2: expected array, but it is missing; ignoring the enclosing entry"]);
  });

  it("a document that is not a mapping gives every default and says what it was", () => {
    expect(messages("42")).toEqual(["(root)@1: expected a mapping of settings, got number; using all defaults"]);
    expect(messages("just text")).toEqual(["(root)@1: expected a mapping of settings, got string; using all defaults"]);
    expect(messages("\n\n- a\n")).toEqual(["(root)@3: expected a mapping of settings, got a list; using all defaults"]);
    expect(validateConfigObject(true)).toEqual({ config: defaultConfig(), problems: [{ segments: [], severity: "error", message: "expected a mapping of settings, got boolean; using all defaults" }] });
    expect(validateConfigObject(null)).toEqual({ config: defaultConfig(), problems: [] });
    expect(validateConfigObject(undefined)).toEqual({ config: defaultConfig(), problems: [] });
  });

  it("several bad entries in one list are all dropped, the good ones kept in order", () => {
    const text = ["components:", "  - name: a", "    paths: [a]", "  - name: b", "  - paths: [c]", "  - name: d", "    paths: [d]"].join("\n");
    const r = parseConfigYaml(text, "c.yml");
    expect(r.config.components.map((c) => c.name)).toEqual(["a", "d"]);
    expect(r.errors.map((e) => `${e.path}@${e.line}`)).toEqual(["components[1].paths@4", "components[2].name@5"]);
  });
});

describe("limits", () => {
  it("the file size: at the limit it is parsed, one character over it is not", () => {
    const pad = (n: number) => `maintenance_mode: true\n${"#".repeat(n - 24)}\n`;
    expect(pad(MAX_CONFIG_BYTES)).toHaveLength(MAX_CONFIG_BYTES);
    const at = parseConfigYaml(pad(MAX_CONFIG_BYTES), "c.yml");
    expect(at.errors).toEqual([]);
    expect(at.config.maintenance_mode).toBe(true);
    const over = parseConfigYaml(pad(MAX_CONFIG_BYTES + 1), "c.yml");
    expect(over).toEqual({
      config: defaultConfig(),
      errors: [{ path: "(root)", line: null, severity: "error", message: `the file is ${MAX_CONFIG_BYTES + 1} characters, over the ${MAX_CONFIG_BYTES} limit; using all defaults`, file: "c.yml" }],
    });
  });

  it("the number of values: the root and the list count too", () => {
    // root object + list + items.
    const ok = validateConfigObject({ ignore_paths: Array.from({ length: MAX_CONFIG_VALUES - 2 }, () => "x") });
    expect(ok.problems).toEqual([]);
    expect(ok.config.ignore_paths).toHaveLength(MAX_CONFIG_VALUES - 2);
    const over = validateConfigObject({ ignore_paths: Array.from({ length: MAX_CONFIG_VALUES - 1 }, () => "x") });
    expect(over).toEqual({ config: defaultConfig(), problems: [{ segments: [], severity: "error", message: `the config has over ${MAX_CONFIG_VALUES} values (YAML aliases expanding?); using all defaults` }] });
  });

  it("the depth: objects 31 levels below the root are read, 32 levels are refused", () => {
    const nested = (levels: number): Record<string, unknown> => {
      let node: Record<string, unknown> = {};
      for (let i = 0; i < levels; i++) node = { x: node };
      return node;
    };
    // Under an unknown key: the shape check counts every level whatever the schema says.
    expect(validateConfigObject({ extra: nested(30) }).problems.map((p) => p.severity)).toEqual(["warning"]);
    expect(validateConfigObject({ extra: nested(31) }).problems).toEqual([{ segments: [], severity: "error", message: "the config is nested over 32 levels deep; using all defaults" }]);
  });
});

describe("line numbers and the error format", () => {
  it("YAML syntax errors carry the parser's line", () => {
    const r = parseConfigYaml("updates:\n  enabled: true\n  labels: [a\n", "c.yml");
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.every((e) => e.path === "(root)" && e.severity === "error" && e.file === "c.yml" && e.message.startsWith("YAML syntax error (") && e.message.endsWith("; using all defaults") && !e.message.includes("\n"))).toBe(true);
    expect(r.errors[0].line).toBeGreaterThanOrEqual(3);
  });

  it("a list item's error points at the item; a missing key at its parent", () => {
    const text = ["updates:", "  labels:", "    - a", "    - 7", "components:", "  - name: x", "    paths: [x]", "  -", "    name: y"].join("\n");
    expect(parseConfigYaml(text, "c.yml").errors.map((e) => `${e.path}@${e.line}`)).toEqual(["components[1].paths@9", "updates.labels[1]@4"]);
  });

  it("formatConfigErrors: file:line, or the file alone when the line is unknown", () => {
    expect(
      formatConfigErrors([
        { path: "updates.max_open_prs", line: 12, severity: "error", message: "bad", file: "a.yml" },
        { path: "thresholds.critical_cvss", line: null, severity: "warning", message: "odd", file: "b.yml" },
      ]),
    ).toBe("a.yml:12: error: updates.max_open_prs: bad\nb.yml: warning: thresholds.critical_cvss: odd");
    expect(formatConfigErrors([])).toBe("");
  });
});

describe("loadRepoConfig: lines from the raw file", () => {
  function ctxWith(merged: unknown, raw: unknown, warned: string[] = []): ConfigContext {
    return {
      repo: () => ({ owner: "o", repo: "r" }),
      config: async () => merged,
      octokit: {
        rest: {
          repos: {
            getContent: async () => {
              if (raw instanceof Error) throw raw;
              return { data: raw };
            },
          },
        },
      },
      log: { warn: (_o, m) => void warned.push(String(m)) },
    };
  }
  const file = `o/r:${CONFIG_PATH}`;
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  it("reads the raw file as base64 (declared or not), as text for another encoding, or as a string", async () => {
    const text = "updates:\n  max_open_prs: -1\n";
    const merged = { updates: { max_open_prs: -1 } };
    for (const raw of [{ content: b64(text), encoding: "base64" }, { content: b64(text) }, { content: text, encoding: "utf-8" }, text]) {
      const warned: string[] = [];
      const r = await loadRepoConfig(ctxWith(merged, raw, warned));
      expect(r.errors).toEqual([{ path: "updates.max_open_prs", line: 2, severity: "error", message: "expected a number >= 0, got number -1; ignored, using the default", file }]);
      expect(warned).toEqual([`problems in ${file}`]);
    }
  });

  it("without the raw file (unreadable, or no content) the lines are unknown and no base is blamed", async () => {
    for (const raw of [new Error("boom"), { type: "dir" }, null, 42]) {
      const r = await loadRepoConfig(ctxWith({ updates: { max_open_prs: -1 } }, raw));
      expect(r.errors).toEqual([{ path: "updates.max_open_prs", line: null, severity: "error", message: "expected a number >= 0, got number -1; ignored, using the default", file }]);
    }
  });

  it("a missing key points at its parent when the parent is in this file; otherwise it came from a base", async () => {
    const inFile = await loadRepoConfig(ctxWith({ components: [{ name: "api" }] }, "components:\n  - name: api\n"));
    expect(inFile.errors.map((e) => [e.path, e.line, e.message])).toEqual([["components[0].paths", 2, "expected array, but it is missing; ignoring the enclosing entry"]]);
    // The repository's file has no components: the entry came from the _extends base.
    const fromBase = await loadRepoConfig(ctxWith({ components: [{ name: "api" }] }, "updates:\n  enabled: true\n"));
    expect(fromBase.errors.map((e) => [e.path, e.line, e.message])).toEqual([["components[0].paths", null, "expected array, but it is missing; ignoring the enclosing entry (from an _extends base config)"]]);
    // The parent is in the file but empty (null): not the line of this entry either.
    const nullParent = await loadRepoConfig(ctxWith({ components: [{ name: "api" }] }, "components:\n"));
    expect(nullParent.errors.map((e) => e.line)).toEqual([null]);
  });

  it("a problem inside a section written as an alias is in this file: the line of the key holding the alias, no base blamed", async () => {
    const text = "x: &u\n  labels: [a, 7]\nupdates: *u\n";
    const merged = { x: { labels: ["a", 7] }, updates: { labels: ["a", 7] } };
    const r = await loadRepoConfig(ctxWith(merged, text));
    const upd = r.errors.find((e) => e.path === "updates.labels[1]");
    expect(upd).toMatchObject({ line: 3, severity: "error" });
    expect(upd!.message).not.toContain("_extends");
    // The same file's unknown key `x` gets its own line, as before.
    expect(r.errors.find((e) => e.path === "x")).toMatchObject({ line: 1 });
    // A key the alias does not hold still came from elsewhere.
    const other = await loadRepoConfig(ctxWith({ ...merged, issues: { labels: [7] } }, text));
    expect(other.errors.find((e) => e.path === "issues.labels[0]")).toMatchObject({ line: null, message: expect.stringContaining("(from an _extends base config)") });
  });

  it("a raw file too big or not YAML gives no lines", async () => {
    const big = `updates:\n  max_open_prs: -1\n${"#".repeat(MAX_CONFIG_BYTES)}\n`;
    const broken = "updates:\n  max_open_prs: -1\n  labels: [a\n";
    for (const raw of [big, broken]) {
      const r = await loadRepoConfig(ctxWith({ updates: { max_open_prs: -1 } }, raw));
      expect(r.errors.map((e) => [e.line, e.message])).toEqual([[null, "expected a number >= 0, got number -1; ignored, using the default (from an _extends base config)"]]);
    }
  });

  it("a whole-document problem points at the document's first line", async () => {
    const r = await loadRepoConfig(ctxWith(["a"], "\n\n- a\n"));
    expect(r.errors).toEqual([{ path: "(root)", line: 3, severity: "error", message: "expected a mapping of settings, got a list; using all defaults", file }]);
  });

  it("when Probot cannot load it: the raw file's own errors, or one error naming the cause; logged once", async () => {
    const warned: string[] = [];
    const ctx: ConfigContext = { ...ctxWith(null, "a: [1\n", warned), config: async () => Promise.reject(new Error("YAMLException")) };
    const r = await loadRepoConfig(ctx);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.every((e) => e.file === file && e.message.startsWith("YAML syntax error"))).toBe(true);
    expect(warned).toEqual([`invalid ${file}`]);
    // The raw file is fine (Probot failed for another reason): the cause is reported.
    const ok = await loadRepoConfig({ ...ctxWith(null, "updates:\n  enabled: true\n"), config: async () => Promise.reject(new Error("rate limited")) });
    expect(ok).toEqual({ config: defaultConfig(), errors: [{ path: "(root)", line: null, severity: "error", message: "cannot load config: rate limited; using all defaults", file }] });
  });
});
