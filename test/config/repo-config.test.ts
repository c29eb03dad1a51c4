/**
 * The one config loader (repo-config.ts) and the schema's helper checks (issue 18, mutation run of
 * src/config): Probot-style merging of `_extends` files, the fallback without Probot's config plugin,
 * and what a failure gives. Expected values follow deepmerge's documented defaults (objects merged key
 * by key, arrays concatenated, scalars replaced) and the README's config section.
 */
import { describe, expect, it } from "vitest";
import { configContextFor, loadConfigFor, mergeConfigs, type ConfigOctokit } from "../../src/config/repo-config.js";
import { cronProblem, defaultConfig, HttpUrl, isKnownTimeZone, MaintenanceWindow } from "../../src/config/schema.js";
import { parseConfigYaml } from "../../src/config/load.js";

const ref = { owner: "acme", repo: "app" };
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

/** An Octokit without Probot's config plugin, serving one file by path. */
function plainOctokit(files: Record<string, { content?: unknown; encoding?: string } | Error>): ConfigOctokit & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    async request(route, params) {
      asked.push({ route, ...params });
      const f = files[params.path];
      if (f === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
      if (f instanceof Error) throw f;
      return { data: f };
    },
  };
}

describe("mergeConfigs", () => {
  it("merges objects key by key, concatenates lists, lets later scalars win", () => {
    const base = { updates: { labels: ["a"], max_open_prs: 2, grouping: "all" }, issues: { enabled: false } };
    const repo = { updates: { labels: ["b"], max_open_prs: 7 }, schedule: { cron: "0 1 * * *" } };
    expect(mergeConfigs([base, repo])).toEqual({
      updates: { labels: ["a", "b"], max_open_prs: 7, grouping: "all" },
      issues: { enabled: false },
      schedule: { cron: "0 1 * * *" },
    });
  });

  it("a list over an object, or an object over a scalar, replaces it; non-objects in the list are skipped", () => {
    expect(mergeConfigs([{ a: { x: 1 } }, { a: [1] }])).toEqual({ a: [1] });
    expect(mergeConfigs([{ a: 1 }, { a: { x: 1 } }])).toEqual({ a: { x: 1 } });
    expect(mergeConfigs([{ a: [1] }, { a: { x: 1 } }])).toEqual({ a: { x: 1 } });
    expect(mergeConfigs([{ a: null }, { a: { x: 1 } }])).toEqual({ a: { x: 1 } });
    expect(mergeConfigs([null, ["list"], "text", { a: 1 }, undefined, 5])).toEqual({ a: 1 });
    expect(mergeConfigs([])).toEqual({});
  });

  it("does not modify its inputs", () => {
    const a = { updates: { labels: ["a"] } };
    const b = { updates: { labels: ["b"] } };
    mergeConfigs([a, b]);
    expect(a).toEqual({ updates: { labels: ["a"] } });
    expect(b).toEqual({ updates: { labels: ["b"] } });
  });

  it("stops merging below 32 levels: deeper, the later file's value wins whole", () => {
    // Level k is the object k keys down from the root (root: level 0).
    const nest = (extra: (level: number) => Record<string, unknown>): Record<string, unknown> => {
      let node: Record<string, unknown> = { leaf: true, ...extra(40) };
      for (let level = 39; level >= 0; level--) node = { n: node, ...extra(level) };
      return node;
    };
    const a = nest((l) => (l === 32 ? { keep32: "a" } : l === 33 ? { lost33: "a" } : {}));
    const b = nest(() => ({}));
    let node = mergeConfigs([a, b]) as Record<string, unknown>;
    for (let level = 0; level < 32; level++) node = node.n as Record<string, unknown>;
    expect(node.keep32).toBe("a");
    expect((node.n as Record<string, unknown>).lost33).toBeUndefined();
  });
});

describe("configContextFor without Probot's config plugin", () => {
  it("reads .github/<name> of the repository, base64 or plain, and validates it", async () => {
    const octokit = plainOctokit({
      ".github/cowabunga.yml": { content: b64("updates:\n  max_open_prs: 2\n"), encoding: "base64" },
      ".github/plain.yml": { content: "updates:\n  grouping: all\n", encoding: "utf-8" },
    });
    const ctx = configContextFor(octokit, ref);
    expect(ctx.repo()).toEqual(ref);
    const config = (await ctx.config("cowabunga.yml")) as ReturnType<typeof defaultConfig>;
    expect(config.updates.max_open_prs).toBe(2);
    expect(octokit.asked).toEqual([{ route: "GET /repos/{owner}/{repo}/contents/{path}", owner: "acme", repo: "app", path: ".github/cowabunga.yml" }]);
    expect(((await ctx.config("plain.yml")) as ReturnType<typeof defaultConfig>).updates.grouping).toBe("all");
  });

  it("a directory or other answer without content is no config; a file broken at its root throws", async () => {
    const octokit = plainOctokit({
      ".github/dir.yml": {},
      ".github/bad.yml": { content: b64("a: [1,\n"), encoding: "base64" },
      ".github/list.yml": { content: b64("- 1\n- 2\n"), encoding: "base64" },
      ".github/partly.yml": { content: b64("updates:\n  max_open_prs: -1\n  grouping: all\n"), encoding: "base64" },
    });
    const ctx = configContextFor(octokit, ref);
    expect(await ctx.config("dir.yml")).toBeNull();
    await expect(ctx.config("bad.yml")).rejects.toThrow(/YAML syntax error/);
    await expect(ctx.config("list.yml")).rejects.toThrow("expected a mapping of settings, got a list; using all defaults");
    // An error below the root leaves the rest: the invalid value takes its default.
    const partly = (await ctx.config("partly.yml")) as ReturnType<typeof defaultConfig>;
    expect([partly.updates.max_open_prs, partly.updates.grouping]).toEqual([5, "all"]);
  });

  it("getContent goes through the same request", async () => {
    const octokit = plainOctokit({ "x/y": { content: "zz" } });
    const ctx = configContextFor(octokit, ref);
    expect(await ctx.octokit.rest.repos.getContent({ owner: "o", repo: "r", path: "x/y" })).toEqual({ data: { content: "zz" } });
    expect(octokit.asked).toEqual([{ route: "GET /repos/{owner}/{repo}/contents/{path}", owner: "o", repo: "r", path: "x/y" }]);
  });

  it("passes warnings to the app's logger, and has no logger without one", () => {
    const seen: Array<[unknown, string | undefined]> = [];
    const log = { info: () => undefined, warn: (o: object, m?: string) => void seen.push([o, m]), error: () => undefined, debug: () => undefined };
    const ctx = configContextFor(plainOctokit({}), ref, log as never);
    ctx.log?.warn({ a: 1 }, "careful");
    expect(seen).toEqual([[{ a: 1 }, "careful"]]);
    expect(configContextFor(plainOctokit({}), ref).log).toBeUndefined();
  });
});

describe("configContextFor with Probot's config plugin", () => {
  function pluginOctokit(files: Array<Record<string, unknown> | null>): ConfigOctokit & { calls: unknown[] } {
    const calls: unknown[] = [];
    return {
      calls,
      request: async () => {
        throw new Error("not used");
      },
      config: {
        async get(options) {
          calls.push({ owner: options.owner, repo: options.repo, path: options.path });
          const present = files.filter((f): f is Record<string, unknown> => f !== null);
          return { config: options.defaults ? options.defaults(present) : {}, files: files.map((config) => ({ config })) };
        },
      },
    };
  }

  it("asks for .github/<name> and merges the files (the _extends base first) as Probot does", async () => {
    const octokit = pluginOctokit([{ updates: { labels: ["org"] } }, { updates: { labels: ["repo"], grouping: "all" } }]);
    const ctx = configContextFor(octokit, ref);
    expect(await ctx.config("cowabunga.yml")).toEqual({ updates: { labels: ["org", "repo"], grouping: "all" } });
    expect(octokit.calls).toEqual([{ owner: "acme", repo: "app", path: ".github/cowabunga.yml" }]);
  });

  it("no file at all: null (the defaults)", async () => {
    expect(await configContextFor(pluginOctokit([null, null]), ref).config("cowabunga.yml")).toBeNull();
    expect(await configContextFor(pluginOctokit([null, { a: 1 }]), ref).config("cowabunga.yml")).toEqual({ a: 1 });
  });
});

describe("loadConfigFor", () => {
  it("loads and validates the repository's config", async () => {
    const r = await loadConfigFor(plainOctokit({ ".github/cowabunga.yml": { content: b64("updates:\n  max_open_prs: 3\n"), encoding: "base64" } }), ref);
    expect(r.errors).toEqual([]);
    expect(r.config.updates.max_open_prs).toBe(3);
    expect(await loadConfigFor(plainOctokit({}), ref)).toEqual({ config: defaultConfig(), errors: [{ path: "(root)", line: null, severity: "error", message: "cannot load config: Not Found; using all defaults", file: "acme/app:.github/cowabunga.yml" }] });
  });

  it("never throws: a failure anywhere gives the defaults and one error naming the file", async () => {
    const throwingLog = (thrown: unknown) => ({ info: () => undefined, warn: () => { throw thrown; }, error: () => undefined, debug: () => undefined });
    // A file that is a list, not a mapping: the loader warns, and here the logger itself fails.
    const octokit = plainOctokit({ ".github/cowabunga.yml": { content: b64("- 1\n- 2\n"), encoding: "base64" } });
    expect(await loadConfigFor(octokit, ref, throwingLog(new Error("logger down")) as never)).toEqual({
      config: defaultConfig(),
      errors: [{ path: "(root)", line: null, severity: "error", message: "cannot load config: logger down; using all defaults", file: "acme/app:.github/cowabunga.yml" }],
    });
    const r = await loadConfigFor(octokit, ref, throwingLog("sink closed") as never);
    expect(r.errors.map((e) => e.message)).toEqual(["cannot load config: sink closed; using all defaults"]);
  });

  it("a file that is a list is reported at line 1 through the raw re-read", async () => {
    const octokit = plainOctokit({ ".github/cowabunga.yml": { content: b64("- 1\n- 2\n"), encoding: "base64" } });
    const r = await loadConfigFor(octokit, ref);
    expect(r.config).toEqual(defaultConfig());
    expect(r.errors).toEqual([{ path: "(root)", line: 1, severity: "error", message: "expected a mapping of settings, got a list; using all defaults", file: "acme/app:.github/cowabunga.yml" }]);
  });
});

describe("schema checks", () => {
  it("cron: five fields, counted whatever the spacing, and valid for cron-parser", () => {
    expect(cronProblem("0 6 * * *")).toBeNull();
    expect(cronProblem("  0   6 * *\t*  ")).toBeNull();
    expect(cronProblem("0 6 * *")).toBe("expected a five-field cron expression (minute hour day-of-month month day-of-week), got 4 fields");
    expect(cronProblem("daily")).toBe("expected a five-field cron expression (minute hour day-of-month month day-of-week), got 1 field");
    expect(cronProblem("")).toBe("expected a five-field cron expression (minute hour day-of-month month day-of-week), got 0 fields");
    expect(cronProblem("0 0 6 * * *")).toMatch(/got 6 fields$/);
    expect(cronProblem("61 6 * * *")).toMatch(/^invalid cron expression: /);
  });

  it("time zones: IANA names the runtime knows; blank is none", () => {
    expect(isKnownTimeZone("UTC")).toBe(true);
    expect(isKnownTimeZone("Europe/Berlin")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isKnownTimeZone("")).toBe(false);
    expect(isKnownTimeZone("   ")).toBe(false);
  });

  it("URLs: http and https in any case; other schemes refused with the documented message", () => {
    expect(HttpUrl.safeParse("https://mirror.test/npm").success).toBe(true);
    expect(HttpUrl.safeParse("HTTP://mirror.test").success).toBe(true);
    for (const u of ["ftp://mirror.test", "file:///etc/passwd", "javascript:alert(1)", "https-evil://x.test"]) {
      const r = HttpUrl.safeParse(u);
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.message)).toContain("expected an http:// or https:// URL");
    }
    expect(HttpUrl.safeParse("not a url").success).toBe(false);
  });
});

describe("schema checks the mutation run found unguarded", () => {
  it("a scheme that only ends in http(s) is refused", () => {
    const r = HttpUrl.safeParse("git+https://mirror.test/repo");
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toContain("expected an http:// or https:// URL");
  });

  it("maintenance window times must be HH:MM, and the schema says so", () => {
    const r = MaintenanceWindow.safeParse({ days: ["sat"], start: "7:00", end: "25:00" });
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["start", "expected HH:MM"],
      ["end", "expected HH:MM"],
    ]);
    expect(MaintenanceWindow.safeParse({ days: ["sat"], start: "07:00", end: "24:00" }).success).toBe(true);
  });

  it("a digest period of 10 to 49 minutes ending in 1–4m is not mistaken for one under 5 minutes", () => {
    expect(parseConfigYaml("notifications:\n  digest:\n    period: 14m\n", "c.yml").errors).toEqual([]);
    expect(parseConfigYaml("notifications:\n  digest:\n    period: 4m\n", "c.yml").errors.map((e) => e.message)).toEqual(["a digest period is at least 5m; ignored, using the default"]);
  });
});
