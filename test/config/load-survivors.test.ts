/**
 * The config loader's edge cases left open by the mutation run of src/config/load.ts (issue 18):
 * null and scalar sections, several problems in one entry, ties of the did-you-mean suggestion,
 * values YAML anchors share, odd raw-file shapes, the exact size limit of the raw file for line
 * numbers, and what goes to the log. Expected values are read off each test's YAML text, the
 * schema's documented keys and the README's "drop only the invalid part" rule.
 */
import { describe, expect, it } from "vitest";
import { CONFIG_PATH, loadRepoConfig, MAX_CONFIG_BYTES, parseConfigYaml, validateConfigObject, type ConfigContext } from "../../src/config/load.js";
import { defaultConfig } from "../../src/config/schema.js";

const errorsOf = (text: string) => parseConfigYaml(text, "c.yml").errors.map((e) => `${e.path}@${e.line}: ${e.severity}: ${e.message}`);

describe("sections of the wrong shape drop only themselves", () => {
  it("an empty (null) section is an error at its line; the other settings are kept", () => {
    const r = parseConfigYaml("maintenance_mode: true\nupdates:\n", "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}: ${e.severity}`)).toEqual(["updates@2: error"]);
    expect(r.errors[0].message).toMatch(/^expected object, got null; ignored, using the default$/);
    expect(r.config.maintenance_mode).toBe(true);
    expect(r.config.updates).toEqual(defaultConfig().updates);
  });

  it("a scalar where a list belongs is an error at its line; the other settings are kept", () => {
    const r = parseConfigYaml("maintenance_mode: true\nignore_paths: vendor/**\n", "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}: ${e.severity}`)).toEqual(["ignore_paths@2: error"]);
    expect(r.config.maintenance_mode).toBe(true);
    expect(r.config.ignore_paths).toEqual([]);
  });

  it("an unknown key with an empty value is only a warning while another value is repaired", () => {
    const r = parseConfigYaml("maintenance_mode: true\nfoo: ~\nupdates:\n  max_open_prs: -1\n  automerge: true\n", "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}: ${e.severity}`)).toEqual(["foo@2: warning", "updates.max_open_prs@4: error"]);
    expect(r.config.maintenance_mode).toBe(true);
    expect(r.config.updates.automerge).toBe(true);
    expect(r.config.updates.max_open_prs).toBe(5);
  });

  it("an entry with a missing required key and a bad value: both reported, the entry dropped, its neighbours kept", () => {
    const text = ["maintenance_mode: true", "components:", "  - name: api", "    paths: [api]", "  - name: ui", "    type: banana", "  - name: sdk", "    paths: [sdk]"].join("\n");
    const r = parseConfigYaml(text, "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}: ${e.severity}`)).toEqual(["components[1].paths@5: error", "components[1].type@6: error"]);
    expect(r.errors[1].message).toContain('got string "banana"');
    expect(r.config.components.map((c) => c.name)).toEqual(["api", "sdk"]);
    expect(r.config.maintenance_mode).toBe(true);
  });

  it("an entry with a missing required key and a bad list item: the entry dropped once, its neighbours kept", () => {
    const text = ["maintenance_mode: true", "components:", "  - name: api", "    paths: [api]", "  - name: ui", "    depends_on: [api, 5]", "  - name: sdk", "    paths: [sdk]"].join("\n");
    const r = parseConfigYaml(text, "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}: ${e.severity}`)).toEqual(["components[1].paths@5: error", "components[1].depends_on[1]@6: error"]);
    expect(r.errors[1].message).toContain("got number 5");
    expect(r.config.components.map((c) => c.name)).toEqual(["api", "sdk"]);
    expect(r.config.maintenance_mode).toBe(true);
  });

  it("a value no validation can handle (a function from a JavaScript base) gives the defaults and one error", () => {
    const r = validateConfigObject({ maintenance_mode: true, updates: { automerge: () => true } });
    expect(r.config).toEqual(defaultConfig());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ segments: [], severity: "error" });
    expect(r.problems[0].message).toMatch(/^cannot validate the config: .+; using all defaults$/);
  });
});

describe("did you mean: ties", () => {
  it("between keys equally near, the first in the schema's order wins", () => {
    // sla keys in order: critical, high, medium, low. "hiw" is 2 edits from "high" (w→g, +h) and 2 from
    // "low" (h→l, i→o); within max(2, 3/3) = 2.
    expect(errorsOf("sla:\n  hiw: 1\n")).toEqual(['sla.hiw@2: warning: unknown key "hiw" ignored (did you mean "high"?)']);
  });
});

describe("YAML anchors, odd keys and messages", () => {
  it("an error in a list reached through an alias points at the key holding the alias", () => {
    const r = parseConfigYaml("issues:\n  labels: &l [deps, 7]\nupdates:\n  labels: *l\n", "c.yml");
    expect(r.errors.map((e) => `${e.path}@${e.line}`).sort()).toEqual(["issues.labels[1]@2", "updates.labels[1]@4"]);
    expect(r.config.updates.labels).toEqual(["deps"]);
    expect(r.config.issues.labels).toEqual(["deps"]);
  });

  it("a key after a complex (list) key gets its own line", () => {
    const r = parseConfigYaml("? [a]\n: 1\nundefined: 2\n", "c.yml");
    expect(r.errors.find((e) => e.path === "undefined")).toMatchObject({ line: 3, severity: "warning" });
  });

  it("a syntax error's message is the parser's first line only", () => {
    expect(errorsOf("maintenance_mode: true\nmaintenance_mode: false\n")).toEqual([
      "(root)@2: error: YAML syntax error (DUPLICATE_KEY): Map keys must be unique at line 2, column 1:; using all defaults",
    ]);
  });

  it("too many aliases: one error for the whole document on line 1", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    const r = parseConfigYaml(lines.join("\n"), "c.yml");
    expect(r.errors).toEqual([{ path: "(root)", line: 1, severity: "error", message: expect.stringMatching(/^cannot read YAML: .*alias.*; using all defaults$/), file: "c.yml" }]);
  });
});

describe("loadRepoConfig: raw file shapes, the size limit for lines, the log", () => {
  const file = `o/r:${CONFIG_PATH}`;
  function ctx(merged: unknown, data: unknown, log?: Array<{ obj: unknown; msg: string }>): ConfigContext {
    return {
      repo: () => ({ owner: "o", repo: "r" }),
      config: async () => merged,
      octokit: { rest: { repos: { getContent: async () => ({ data }) } } },
      ...(log ? { log: { warn: (obj: unknown, msg?: string) => void log.push({ obj, msg: String(msg) }) } } : {}),
    };
  }
  const bad = { updates: { max_open_prs: -1 } };
  const badMessage = "expected a number >= 0, got number -1; ignored, using the default";

  it("a raw file whose content is not text counts as no raw file", async () => {
    const r = await loadRepoConfig(ctx(bad, { type: "file", encoding: "base64", content: [] }));
    expect(r.errors).toEqual([{ path: "updates.max_open_prs", line: null, severity: "error", message: badMessage, file }]);
  });

  it("a raw file of exactly the size limit still gives lines", async () => {
    const head = "updates:\n  max_open_prs: -1\n";
    const text = `${head}${"#".repeat(MAX_CONFIG_BYTES - head.length - 1)}\n`;
    expect(text).toHaveLength(MAX_CONFIG_BYTES);
    const r = await loadRepoConfig(ctx(bad, text));
    expect(r.errors).toEqual([{ path: "updates.max_open_prs", line: 2, severity: "error", message: badMessage, file }]);
  });

  it("a whole-document problem gets line 1 when the raw file has no content node", async () => {
    const r = await loadRepoConfig(ctx(["a"], "# only a comment\n"));
    expect(r.errors).toEqual([{ path: "(root)", line: 1, severity: "error", message: "expected a mapping of settings, got a list; using all defaults", file }]);
  });

  it("the log gets the errors themselves, and a context without a log is fine", async () => {
    const log: Array<{ obj: unknown; msg: string }> = [];
    const r = await loadRepoConfig(ctx(bad, "updates:\n  max_open_prs: -1\n", log));
    expect(log).toEqual([{ obj: { errors: r.errors }, msg: `problems in ${file}` }]);
    const failing: Array<{ obj: unknown; msg: string }> = [];
    const f = await loadRepoConfig({ ...ctx(null, "a: [1\n", failing), config: async () => Promise.reject(new Error("YAMLException")) });
    expect(failing).toEqual([{ obj: { errors: f.errors }, msg: `invalid ${file}` }]);
    expect(f.errors.length).toBeGreaterThan(0);
    const quiet = await loadRepoConfig(ctx(bad, "updates:\n  max_open_prs: -1\n"));
    expect(quiet.errors.map((e) => e.line)).toEqual([2]);
  });
});
