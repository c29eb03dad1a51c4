import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { enrichSettingsFromEnv, SharedEnrichment } from "../../src/app/enrichment.js";
import { NotificationHub, pruneSentLog } from "../../src/app/notifications.js";
import { defaultBranchFailure } from "../../src/app/pr-routes.js";
import { selectDependencies } from "../../src/app/updates.js";
import { listDashboardAlerts } from "../../src/act/notify/index.js";
import type { Alert, Assessment } from "../../src/assess/types.js";
import { defaultConfig } from "../../src/config/schema.js";
import type { GitHubOctokit } from "../../src/act/github/client.js";
import { FileStore } from "../../src/store/index.js";
import { makeDependency, makeSystemHealth } from "../helpers/factories.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MIRROR = path.resolve(here, "../fixtures/e2e/osv");
const quiet = { info() {}, warn() {}, error() {} };

describe("enrichment settings from the environment", () => {
  it("reads offline, the OSV mirror path and registry mirrors; bad values are warnings", () => {
    const s = enrichSettingsFromEnv(
      {
        COWABUNGA_OFFLINE: "true",
        COWABUNGA_OSV_DB: "mirror/osv",
        COWABUNGA_REGISTRY_NPM: "https://npm.mirror.example/",
        COWABUNGA_REGISTRY_PYPI: "http://10.0.0.5:8080/simple",
        COWABUNGA_REGISTRY_MAVEN: "https://maven.example",
        COWABUNGA_REGISTRY_GO: "not a url",
        COWABUNGA_REGISTRY_HELM: "ftp://charts.example",
      },
      "/srv/app",
    );
    expect(s.offline).toBe(true);
    expect(s.osvDbPath).toBe(path.resolve("/srv/app", "mirror/osv"));
    expect(s.registries).toEqual({ npm: "https://npm.mirror.example", pypi: "http://10.0.0.5:8080/simple" });
    expect(s.warnings.join("\n")).toMatch(/COWABUNGA_REGISTRY_MAVEN: unknown ecosystem "maven"/);
    expect(s.warnings.join("\n")).toMatch(/COWABUNGA_REGISTRY_GO is not a valid URL/);
    expect(s.warnings.join("\n")).toMatch(/COWABUNGA_REGISTRY_HELM: only http\(s\)/);
    expect(enrichSettingsFromEnv({}).offline).toBe(false);
    expect(enrichSettingsFromEnv({ COWABUNGA_OFFLINE: "0" }).offline).toBe(false);
  });

  it("loads the OSV mirror once and shares it between scans; offline asks no registry", async () => {
    const shared = new SharedEnrichment({ offline: true, osvDbPath: MIRROR, registries: {}, warnings: [] }, quiet);
    const a = shared.offlineIndex();
    expect(shared.offlineIndex()).toBe(a);
    const [o1, o2] = await Promise.all([shared.enrichOptions(), shared.enrichOptions()]);
    expect(o1.advisories).toBe(o2.advisories);
    expect(o1.advisories).toBe(await a);
    expect(o1.http).toBe(shared.http);
    expect(o1.offline).toBe(true);
    const noDb = new SharedEnrichment({ offline: true, osvDbPath: null, registries: {}, warnings: [] });
    expect((await noDb.enrichOptions()).advisories).toBeNull();
    const online = new SharedEnrichment({ offline: false, osvDbPath: null, registries: {}, warnings: [] });
    expect("advisories" in (await online.enrichOptions())).toBe(false);
  });
});

describe("routing a failed default-branch build to the revert handler", () => {
  const repository = { default_branch: "main" };
  it("only failures on the default branch itself", () => {
    expect(defaultBranchFailure("check_suite", { check_suite: { head_sha: "abc", head_branch: "main", conclusion: "failure" }, repository })).toEqual({
      headSha: "abc",
      headBranch: "main",
      conclusion: "failure",
      defaultBranch: "main",
    });
    expect(defaultBranchFailure("workflow_run", { workflow_run: { head_sha: "abc", head_branch: "main", conclusion: "timed_out" }, repository })?.conclusion).toBe("timed_out");
    expect(defaultBranchFailure("check_suite", { check_suite: { head_sha: "abc", head_branch: "main", conclusion: "success" }, repository })).toBeNull();
    expect(defaultBranchFailure("check_suite", { check_suite: { head_sha: "abc", head_branch: "cowabunga/x", conclusion: "failure" }, repository })).toBeNull();
    // check_run carries the branch on its check_suite; a failing one routes like check_suite (the revert is idempotent).
    expect(defaultBranchFailure("check_run", { check_run: { head_sha: "abc", conclusion: "failure", check_suite: { head_branch: "main" } }, repository })?.headSha).toBe("abc");
    expect(defaultBranchFailure("check_run", { check_run: { head_sha: "abc", conclusion: "failure", check_suite: { head_branch: "feature" } }, repository })).toBeNull();
    expect(defaultBranchFailure("check_run", { check_run: { head_sha: "abc", conclusion: "success", check_suite: { head_branch: "main" } }, repository })).toBeNull();
    expect(defaultBranchFailure("check_suite", { check_suite: { head_sha: "abc", head_branch: "main", conclusion: "failure" } })).toBeNull();
  });
});

describe("update requests", () => {
  it("select dependencies by name, name@version, component, manager and security", () => {
    const deps = [
      makeDependency({ name: "flask", version: "2.0.0", component: "api", package_manager: "pip", advisories: [], cve_ids: [] }),
      makeDependency({ name: "left-pad", version: "1.3.0", component: "web", package_manager: "npm", advisories: [], cve_ids: [] }),
      makeDependency({ name: "requests", version: "2.19.0", component: "api", package_manager: "pip", cve_ids: ["CVE-2018-18074"] }),
    ];
    expect(selectDependencies(deps, {}).map((d) => d.name)).toEqual(["flask", "left-pad", "requests"]);
    expect(selectDependencies(deps, { dependencies: ["FLASK", "left-pad@1.3.0"] }).map((d) => d.name)).toEqual(["flask", "left-pad"]);
    expect(selectDependencies(deps, { component: "api", package_manager: "pip" }).map((d) => d.name)).toEqual(["flask", "requests"]);
    expect(selectDependencies(deps, { update_type: "security" }).map((d) => d.name)).toEqual(["requests"]);
  });
});

describe("notifications after assess", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const alert = (key: string, level: Alert["level"]): Alert => ({
    key,
    condition: level === "critical" ? "critical_cvss" : "low_coverage",
    level,
    title: `alert ${key}`,
    message: "m",
    component: "api",
    issue_ids: [],
    created_at: "2026-01-15T12:00:00.000Z",
    links: [],
  });
  const assessment = (alerts: Alert[]): Assessment => ({ system: makeSystemHealth(), components: [], issues: [], dependencies: [], alerts, warnings: [] }) as unknown as Assessment;

  it("routes through the outbox, applies the quiet period, and writes nothing to GitHub in maintenance mode", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-notify-"));
    let now = new Date("2026-01-15T12:00:00Z");
    const store = new FileStore({ root: dir, clock: () => now });
    const calls: string[] = [];
    const octokit = { request: async (route: string) => (calls.push(route), { data: { number: 7 } }) } as unknown as GitHubOctokit;
    const hub = new NotificationHub({ store, env: {}, clock: () => now, log: quiet });
    const ref = { owner: "acme", repo: "widgets" };
    const config = defaultConfig();

    const first = await hub.afterAssess({ octokit, ref, assessment: assessment([alert("critical_cvss:x", "critical"), alert("low_coverage:api", "low")]), config, sentLog: {}, log: quiet });
    expect(first.errors).toEqual([]);
    expect(first.sent).toBe(3); // critical → github + dashboard; low → dashboard (no Slack/email configured)
    expect(calls).toEqual(["POST /repos/{owner}/{repo}/issues"]); // no GitHub issue number known: a new issue
    expect((await listDashboardAlerts(store, ref)).map((a) => a.key).sort()).toEqual(["critical_cvss:x", "low_coverage:api"]);

    now = new Date("2026-01-15T13:00:00Z");
    const again = await hub.afterAssess({ octokit, ref, assessment: assessment([alert("critical_cvss:x", "critical")]), config, sentLog: first.sentLog, log: quiet });
    expect(again.sent).toBe(0);
    expect(again.suppressed).toBe(2);
    expect(calls.length).toBe(1);

    now = new Date("2026-01-17T13:00:00Z");
    const maint = await hub.afterAssess({ octokit, ref, assessment: assessment([alert("critical_cvss:x", "critical")]), config: { ...config, maintenance_mode: true }, sentLog: again.sentLog, log: quiet });
    expect(maint.sent).toBe(1); // dashboard only
    expect(calls.length).toBe(1);
    hub.stop();
  });

  it("a failing channel never throws out of afterAssess", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-notify-"));
    const store = new FileStore({ root: dir });
    const octokit = { request: async () => Promise.reject(Object.assign(new Error("HTTP 500"), { status: 500 })) } as unknown as GitHubOctokit;
    const hub = new NotificationHub({ store, env: {}, log: quiet });
    const out = await hub.afterAssess({ octokit, ref: { owner: "acme", repo: "w" }, assessment: assessment([alert("critical_cvss:y", "critical")]), config: defaultConfig(), sentLog: {}, log: quiet });
    expect(out.sent).toBeGreaterThanOrEqual(1);
    const pending = await hub.outbox({ owner: "acme", repo: "w" })!.deliveries();
    expect(pending.find((d) => d.channel === "github")?.status).toBe("pending");
    expect(pending.find((d) => d.channel === "github")?.last_error).toMatch(/500/);
    hub.stop();
  });

  it("prunes the sent log to the quiet period (at least 7 days)", () => {
    const now = new Date("2026-02-01T00:00:00Z");
    expect(pruneSentLog({ a: "2026-01-31T00:00:00Z", b: "2026-01-01T00:00:00Z", c: "garbage" }, now, 24)).toEqual({ a: "2026-01-31T00:00:00Z" });
    expect(Object.keys(pruneSentLog({ b: "2026-01-01T00:00:00Z" }, now, 24 * 40))).toEqual(["b"]);
  });
});
