import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONFIG_PATH, formatConfigErrors, loadRepoConfig, parseConfigYaml, type ConfigContext } from "../../src/config/load.js";
import { CowabungaConfig, defaultConfig } from "../../src/config/schema.js";
import { parse as parseYaml } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const fullExample = readFileSync(path.join(here, "../fixtures/foundation/cowabunga.full.yml"), "utf8");

/** Every key path the schema declares (list items as [*]). */
function schemaKeys(schema: z.ZodType, prefix = ""): string[] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [`${prefix}${k}`, ...schemaKeys(v, `${prefix}${k}.`)]);
  }
  if (s instanceof z.ZodArray) return schemaKeys(s.element as z.ZodType, prefix.replace(/\.$/, "[*]."));
  if (s instanceof z.ZodRecord && s.keyType instanceof z.ZodEnum) return s.keyType.options.map((k) => `${prefix}${String(k)}`);
  return [];
}
function valueKeys(v: unknown, prefix = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => valueKeys(x, prefix.replace(/\.$/, "[*].")));
  if (v !== null && typeof v === "object")
    return Object.entries(v).flatMap(([k, x]) => [`${prefix}${k}`, ...valueKeys(x, `${prefix}${k}.`)]);
  return [];
}

describe("parseConfigYaml: the complete example", () => {
  it("is valid, has no errors and covers every key of the schema", () => {
    const { config, errors } = parseConfigYaml(fullExample, "example.yml");
    expect(errors).toEqual([]);
    expect(config.components.map((c) => c.name)).toEqual(["api", "sdk"]);
    expect(config.schedule.maintenance_windows[0]).toEqual({ days: ["sat", "sun"], start: "02:00", end: "06:00" });
    const present = new Set(valueKeys(parseYaml(fullExample)));
    const missing = schemaKeys(CowabungaConfig).filter((k) => !present.has(k));
    expect(missing, "keys missing from the example").toEqual([]);
  });

  it("an empty file and a comments-only file give the defaults", () => {
    expect(parseConfigYaml("", "a.yml")).toEqual({ config: defaultConfig(), errors: [] });
    expect(parseConfigYaml("# nothing\n", "a.yml")).toEqual({ config: defaultConfig(), errors: [] });
  });
});

describe("parseConfigYaml: schema errors", () => {
  it("names the path and line, keeps valid siblings and defaults the invalid value", () => {
    const text = ["updates:", "  automerge: true", '  max_open_prs: "five"', "thresholds:", "  critical_cvss: 12", ""].join("\n");
    const { config, errors } = parseConfigYaml(text, ".github/cowabunga.yml");
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(
      expect.objectContaining({ path: "updates.max_open_prs", line: 3, severity: "error", file: ".github/cowabunga.yml" }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ path: "thresholds.critical_cvss", line: 5, severity: "error" }));
    expect(errors.find((e) => e.path === "updates.max_open_prs")?.message).toMatch(/expected number, got string "five"/);
    expect(config.updates.automerge).toBe(true); // kept
    expect(config.updates.max_open_prs).toBe(5); // default
    expect(config.thresholds.critical_cvss).toBe(8);
    expect(formatConfigErrors(errors)).toContain(".github/cowabunga.yml:3: error: updates.max_open_prs: expected number");
  });

  it("drops only the component whose required key is missing, pointing at that item's line", () => {
    const text = [
      "components:",
      "  - name: api",
      "    paths: [api/**]",
      "  - name: ui",
      "    type: ui",
      "  - name: sdk",
      "    paths: [sdk/**]",
    ].join("\n");
    const { config, errors } = parseConfigYaml(text, "c.yml");
    expect(errors).toEqual([expect.objectContaining({ path: "components[1].paths", line: 4, severity: "error" })]);
    expect(errors[0].message).toMatch(/missing/);
    expect(config.components.map((c) => c.name)).toEqual(["api", "sdk"]);
  });

  it("drops one bad list item and keeps the others", () => {
    const text = ["updates:", "  labels:", "    - deps", "    - 42", "    - bot"].join("\n");
    const { config, errors } = parseConfigYaml(text, "c.yml");
    expect(errors).toEqual([expect.objectContaining({ path: "updates.labels[1]", line: 4 })]);
    expect(config.updates.labels).toEqual(["deps", "bot"]);
  });

  it("reports an empty paths list at the item, then drops the component", () => {
    const text = ["components:", "  - name: api", "    paths: []"].join("\n");
    const { config, errors } = parseConfigYaml(text, "c.yml");
    expect(errors).toEqual([expect.objectContaining({ path: "components[0].paths", line: 3 })]);
    expect(config.components).toEqual([]);
  });

  it("reports enum violations with the allowed values", () => {
    const { errors, config } = parseConfigYaml("updates:\n  grouping: by-team\n", "c.yml");
    expect(errors[0].path).toBe("updates.grouping");
    expect(errors[0].line).toBe(2);
    expect(errors[0].message).toContain('"none", "component", "all"');
    expect(config.updates.grouping).toBe("none");
  });

  it("a top-level list is an error on line 1 and gives the defaults", () => {
    const { errors, config } = parseConfigYaml("- a\n- b\n", "c.yml");
    expect(errors).toEqual([expect.objectContaining({ path: "(root)", line: 1, severity: "error" })]);
    expect(config).toEqual(defaultConfig());
  });

  it("a section given as a scalar is reported at its line", () => {
    const { errors, config } = parseConfigYaml("maintenance_mode: true\nschedule: daily\n", "c.yml");
    expect(errors).toEqual([expect.objectContaining({ path: "schedule", line: 2 })]);
    expect(config.schedule).toEqual(defaultConfig().schedule);
    expect(config.maintenance_mode).toBe(true);
  });
});

describe("parseConfigYaml: unknown keys", () => {
  it("are warnings with a did-you-mean, at their line, and do not drop the rest", () => {
    const text = ["thresholds:", "  critical_cvss: 9", "  compnent_health: 0.5", "maintenence_mode: true", "registries:", "  cargo: https://x.example"].join("\n");
    const { errors, config } = parseConfigYaml(text, "c.yml");
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e]));
    expect(byPath["thresholds.compnent_health"]).toMatchObject({ severity: "warning", line: 3 });
    expect(byPath["thresholds.compnent_health"].message).toContain('did you mean "component_health"');
    expect(byPath["maintenence_mode"]).toMatchObject({ severity: "warning", line: 4 });
    expect(byPath["maintenence_mode"].message).toContain('"maintenance_mode"');
    expect(byPath["registries.cargo"]).toMatchObject({ severity: "warning", line: 6 });
    expect(errors).toHaveLength(3);
    expect(config.thresholds.critical_cvss).toBe(9);
    expect(config.thresholds.component_health).toBe(0.7);
    expect(config.registries).toEqual({});
  });

  it("_extends is not unknown", () => {
    expect(parseConfigYaml("_extends: org/.github\n", "c.yml").errors).toEqual([]);
  });
});

describe("parseConfigYaml: YAML syntax errors", () => {
  it("reports the line and returns the defaults", () => {
    const text = ["updates:", "  enabled: true", "  labels: [a, b", "issues:", "  enabled: false"].join("\n");
    const { config, errors } = parseConfigYaml(text, "c.yml");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].severity).toBe("error");
    expect(errors[0].message).toMatch(/YAML syntax error/);
    expect(errors[0].line).toBeGreaterThanOrEqual(3);
    expect(config).toEqual(defaultConfig());
  });

  it("reports a duplicate key at its line", () => {
    const { errors } = parseConfigYaml("maintenance_mode: true\nmaintenance_mode: false\n", "c.yml");
    expect(errors[0]).toMatchObject({ line: 2 });
    expect(errors[0].message).toMatch(/DUPLICATE_KEY/);
  });

  it("never throws on hostile input", () => {
    const bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n";
    for (const text of ["\u0000\u0001", ":", "{", "!!binary xyz", bomb, "a:\n\t- b"]) {
      const r = parseConfigYaml(text, "c.yml");
      expect(r.config).toBeDefined();
    }
    expect(parseConfigYaml(bomb, "c.yml").errors[0].message).toMatch(/alias|defaults/i);
  });
});

// ---------------------------------------------------------------------------------------------

function fakeContext(opts: { merged?: unknown; throws?: Error; raw?: string | null }) {
  const calls: { path: string }[] = [];
  const warnings: string[] = [];
  const ctx: ConfigContext = {
    repo: () => ({ owner: "acme", repo: "app" }),
    config: async (name) => {
      expect(name).toBe("cowabunga.yml");
      if (opts.throws) throw opts.throws;
      return opts.merged ?? null;
    },
    octokit: {
      rest: {
        repos: {
          getContent: async (params) => {
            calls.push({ path: params.path });
            if (opts.raw === null || opts.raw === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
            return { data: { type: "file", encoding: "base64", content: Buffer.from(opts.raw).toString("base64") } };
          },
        },
      },
    },
    log: { warn: (_o, msg) => warnings.push(String(msg)) },
  };
  return { ctx, calls, warnings };
}

describe("loadRepoConfig", () => {
  it("valid config: no raw fetch", async () => {
    const { ctx, calls } = fakeContext({ merged: { updates: { max_open_prs: 2 } }, raw: "x" });
    const r = await loadRepoConfig(ctx);
    expect(r.errors).toEqual([]);
    expect(r.config.updates.max_open_prs).toBe(2);
    expect(calls).toEqual([]);
  });

  it("missing file: defaults", async () => {
    const { ctx } = fakeContext({ merged: null });
    expect(await loadRepoConfig(ctx)).toEqual({ config: defaultConfig(), errors: [] });
  });

  it("invalid config: fetches the raw file for lines; errors from _extends get line null", async () => {
    const raw = "_extends: acme/.github\nupdates:\n  max_open_prs: -1\n";
    // the merged object also has a bad value that came from the base config
    const merged = { updates: { max_open_prs: -1 }, thresholds: { critical_cvss: 20 } };
    const { ctx, calls, warnings } = fakeContext({ merged, raw });
    const r = await loadRepoConfig(ctx);
    expect(calls).toEqual([{ path: CONFIG_PATH }]);
    expect(r.errors).toContainEqual(expect.objectContaining({ path: "updates.max_open_prs", line: 3, file: "acme/app:.github/cowabunga.yml" }));
    const fromBase = r.errors.find((e) => e.path === "thresholds.critical_cvss");
    expect(fromBase?.line).toBeNull();
    expect(fromBase?.message).toContain("_extends");
    expect(r.config.updates.max_open_prs).toBe(5);
    expect(warnings).toHaveLength(1);
  });

  it("Probot throws on bad YAML: the raw file gives the syntax error's line", async () => {
    const { ctx } = fakeContext({ throws: new Error("Configuration could not be parsed (invalid YAML)"), raw: "a: [1,\nb: 2\n" });
    const r = await loadRepoConfig(ctx);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors[0].message).toMatch(/YAML syntax error/);
    expect(r.errors[0].line).toBeGreaterThanOrEqual(1);
  });

  it("Probot throws and the raw file cannot be fetched: one error naming the cause", async () => {
    const { ctx } = fakeContext({ throws: new Error("HTTP 500"), raw: null });
    const r = await loadRepoConfig(ctx);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors).toEqual([expect.objectContaining({ path: "(root)", line: null, message: expect.stringContaining("HTTP 500") })]);
  });
});

// Type-level check: a real Probot Context satisfies ConfigContext (compile error otherwise).
import type { Context } from "probot";
export const _probotContextFits = (c: Context<"push">): ConfigContext => c;

describe("hostile config shapes (review fix)", () => {
  it("a deeply nested value (e.g. from a JSON _extends base) gives defaults and an error, not a stack overflow", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const { ctx } = fakeContext({ merged: { components: deep }, raw: null });
    const r = await loadRepoConfig(ctx);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors).toEqual([
      expect.objectContaining({ path: "(root)", severity: "error", message: "the config is nested over 32 levels deep; using all defaults" }),
    ]);
  });

  it("shared references (aliases kept as one object) are counted per visit: a billion-laughs shape stops early", async () => {
    let lvl: unknown = { name: "x", paths: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] };
    for (let i = 0; i < 8; i++) lvl = Array(10).fill(lvl);
    const { ctx } = fakeContext({ merged: { ignore: lvl }, raw: null });
    const r = await loadRepoConfig(ctx);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors[0].message).toMatch(/over 50000 values \(YAML aliases expanding\?\); using all defaults/);
  });

  it("a YAML alias bomb in the file is refused by the parser's alias limit, with a line", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    const r = parseConfigYaml(lines.join("\n"));
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].severity).toBe("error");
  });

  it("a file over the size limit is not parsed", () => {
    const r = parseConfigYaml(`# ${"x".repeat(600 * 1024)}\nmaintenance_mode: true\n`);
    expect(r.config.maintenance_mode).toBe(false);
    expect(r.errors[0].message).toMatch(/over the 524288 limit; using all defaults/);
  });

  it("an ordinary config is still accepted", () => {
    expect(parseConfigYaml("maintenance_mode: true\ncomponents:\n  - name: api\n    paths: [services/api]\n").errors).toEqual([]);
  });
});

describe("config values that would fail silently later (issue 10, item 7)", () => {
  const file = ".github/cowabunga.yml";

  it("an invalid schedule.cron is an error at its line, and the default schedule is kept", () => {
    const { config, errors } = parseConfigYaml(["schedule:", '  cron: "every day at six"', "  jitter_minutes: 5", ""].join("\n"), file);
    expect(errors).toEqual([expect.objectContaining({ path: "schedule.cron", line: 2, severity: "error", file })]);
    expect(config.schedule.cron).toBe("0 6 * * *");
    expect(config.schedule.jitter_minutes).toBe(5);
    expect(formatConfigErrors(errors)).toContain(`${file}:2: error: schedule.cron:`);
  });

  it("a six-field cron (seconds) is refused: the README promises five fields", () => {
    const { errors } = parseConfigYaml(["schedule:", '  cron: "0 0 6 * * *"', ""].join("\n"), file);
    expect(errors).toEqual([expect.objectContaining({ path: "schedule.cron", line: 2, severity: "error" })]);
    expect(errors[0].message).toMatch(/five-field/);
  });

  it("out-of-range cron fields are refused", () => {
    const { errors } = parseConfigYaml(["schedule:", '  cron: "61 25 * * *"', ""].join("\n"), file);
    expect(errors.map((e) => e.path)).toEqual(["schedule.cron"]);
  });

  it("an unknown timezone is an error at its line", () => {
    const { config, errors } = parseConfigYaml(["schedule:", '  cron: "30 2 * * 1"', "  timezone: Mars/Olympus_Mons", ""].join("\n"), file);
    expect(errors).toEqual([expect.objectContaining({ path: "schedule.timezone", line: 3, severity: "error" })]);
    expect(errors[0].message).toMatch(/time zone/);
    expect(config.schedule).toMatchObject({ cron: "30 2 * * 1", timezone: "UTC" });
  });

  it("valid five-field crons and IANA zones pass", () => {
    for (const [cron, tz] of [
      ["0 6 * * *", "UTC"],
      ["*/15 8-18 * * mon-fri", "Europe/Berlin"],
      ["0 0 1 1 *", "America/New_York"],
    ]) {
      expect(parseConfigYaml(`schedule:\n  cron: "${cron}"\n  timezone: ${tz}\n`, file).errors).toEqual([]);
    }
  });

  it("health_url must be http or https: javascript:, file: and data: URLs are errors at their line", () => {
    for (const url of ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "ftp://example.com/x"]) {
      const text = ["components:", "  - name: api", "    paths: [api/**]", `    health_url: "${url}"`, ""].join("\n");
      const { config, errors } = parseConfigYaml(text, file);
      expect(errors, url).toEqual([expect.objectContaining({ path: "components[0].health_url", line: 4, severity: "error" })]);
      expect(errors[0].message).toMatch(/http/);
      expect(config.components.every((c) => c.health_url === undefined), url).toBe(true);
    }
    const ok = parseConfigYaml(["components:", "  - name: api", "    paths: [api/**]", "    health_url: https://api.example.com/healthz", ""].join("\n"), file);
    expect(ok.errors).toEqual([]);
  });

  it("registry mirrors must be http or https too", () => {
    const { errors } = parseConfigYaml(["registries:", '  npm: "javascript:alert(1)"', ""].join("\n"), file);
    expect(errors).toEqual([expect.objectContaining({ path: "registries.npm", line: 2, severity: "error" })]);
  });
});
